// The controller's Prometheus metrics, on a registry of its own (never prom-client's global
// one). Names and labels follow controller-runtime and its work queues where those exist, so
// dashboards and alerts written for other controllers apply; imagespec_* describe builds.
// Label values are bounded: controller and queue names are fixed by the code, build results are
// the three terminal phases, and reasons outside the known set count as "Other".
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, exponentialBuckets } from 'prom-client';
import { isTerminalPhase } from '../../api/phases.ts';
import { Reasons, type ImageSpecJobStatus, type ImageSpecStatus } from '../../api/types.ts';
import { keyOf } from './kube.ts';
import { Stopwatches } from './stopwatch.ts';
import type { ReconcileMetrics, ReconcileOutcome } from './worker.ts';
import type { HeldKey, WorkQueueMetrics } from './workqueue.ts';

/** What the ImageSpecJob controller reports. */
export interface BuildMetrics {
  /**
   * The job controller decided `next` over the cached `current` status, seeing the build Pod's
   * phase in its cache; called before the write.
   */
  buildStatusDecided(jobKey: string, current: ImageSpecJobStatus | undefined, next: ImageSpecJobStatus, podPhase: string | undefined): void;
  /** Our write of `next` over `current` succeeded. */
  buildStatusWritten(current: ImageSpecJobStatus | undefined, next: ImageSpecJobStatus): void;
  /** The job left the cache. */
  jobGone(jobKey: string): void;
}

/** What the ImageSpec controller reports. */
export interface PropagationMetrics {
  /** Our write of this ImageSpec status succeeded. */
  imageSpecStatusWritten(namespace: string, status: ImageSpecStatus): void;
}

export interface MetricsOptions {
  /** Register prom-client's process and Node.js collectors (default true). */
  processMetrics?: boolean;
  /** Monotonic milliseconds (performance.now by default). */
  clock?: () => number;
}

const POD_DONE_PHASES: ReadonlySet<string> = new Set(['Succeeded', 'Failed']);
const KNOWN_REASONS: ReadonlySet<string> = new Set(Object.values(Reasons));

/** True when `next` moves a job into a terminal phase it was not in. */
export function finishesBuild(current: ImageSpecJobStatus | undefined, next: ImageSpecJobStatus): boolean {
  return isTerminalPhase(next.phase) && !isTerminalPhase(current?.phase);
}

/** The bounded labels of a finished build. */
export function buildLabels(status: ImageSpecJobStatus): { result: string; reason: string } {
  const reason = status.reason ?? (status.phase === 'Succeeded' ? Reasons.Succeeded : Reasons.BuildFailed);
  return { result: status.phase ?? 'Unknown', reason: KNOWN_REASONS.has(reason) ? reason : 'Other' };
}

/** startTime to completionTime in seconds; undefined when the build never started. */
export function buildSeconds(status: ImageSpecJobStatus): number | undefined {
  if (!status.startTime || !status.completionTime) return undefined;
  const ms = Date.parse(status.completionTime) - Date.parse(status.startTime);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}

const RECONCILE_OUTCOMES: readonly ReconcileOutcome[] = ['success', 'error', 'requeue', 'requeue_after'];
const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const QUEUE_BUCKETS = exponentialBuckets(0.001, 10, 7);
const BUILD_BUCKETS = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
const PROPAGATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Metrics implements BuildMetrics, PropagationMetrics {
  readonly registry = new Registry();
  private readonly heldReaders = new Map<string, () => ReadonlyArray<HeldKey>>();
  private readonly propagation: Stopwatches;

  private readonly reconcileTotal: Counter<'controller' | 'result'>;
  private readonly reconcileErrors: Counter<'controller'>;
  private readonly reconcileTime: Histogram<'controller'>;
  private readonly activeWorkers: Gauge<'controller'>;
  private readonly maxConcurrent: Gauge<'controller'>;
  private readonly queueDepth: Gauge<'name'>;
  private readonly queueAdds: Counter<'name'>;
  private readonly queueDuration: Histogram<'name'>;
  private readonly workDuration: Histogram<'name'>;
  private readonly queueRetries: Counter<'name'>;
  private readonly leaderStatus: Gauge<'name'>;
  private readonly builds: Counter<'result' | 'reason'>;
  private readonly buildDuration: Histogram<'result'>;
  private readonly propagationTime: Histogram;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.propagation = new Stopwatches({ clock: options.clock });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });

    this.reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Reconciles finished, by controller and outcome', labelNames: ['controller', 'result'], registers });
    this.reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Reconciles that ended in an error, by controller', labelNames: ['controller'], registers });
    this.reconcileTime = new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Duration of one reconcile, by controller', labelNames: ['controller'], buckets: RECONCILE_BUCKETS, registers });
    this.activeWorkers = new Gauge({ name: 'controller_runtime_active_workers', help: 'Workers running a reconcile now, by controller', labelNames: ['controller'], registers });
    this.maxConcurrent = new Gauge({ name: 'controller_runtime_max_concurrent_reconciles', help: 'Workers started, by controller (the most reconciles that run at once)', labelNames: ['controller'], registers });

    this.queueDepth = new Gauge({ name: 'workqueue_depth', help: 'Keys waiting in the queue for a worker', labelNames: ['name'], registers });
    this.queueAdds = new Counter({ name: 'workqueue_adds_total', help: 'Keys added to the queue (a key already waiting is not added again)', labelNames: ['name'], registers });
    this.queueDuration = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'Time a key waited in the queue before a worker took it', labelNames: ['name'], buckets: QUEUE_BUCKETS, registers });
    this.workDuration = new Histogram({ name: 'workqueue_work_duration_seconds', help: 'Time a worker held a key', labelNames: ['name'], buckets: QUEUE_BUCKETS, registers });
    this.queueRetries = new Counter({ name: 'workqueue_retries_total', help: 'Keys queued again with their backoff after a failed reconcile', labelNames: ['name'], registers });
    const readers = this.heldReaders;
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: 'Sum of the time workers have held the keys they hold now',
      labelNames: ['name'],
      registers,
      collect() {
        for (const [name, read] of readers) this.set({ name }, read().reduce((sum, held) => sum + held.ms, 0) / 1000);
      },
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'Time the longest-held key has been held by its worker',
      labelNames: ['name'],
      registers,
      collect() {
        for (const [name, read] of readers) this.set({ name }, read().reduce((longest, held) => Math.max(longest, held.ms), 0) / 1000);
      },
    });
    this.leaderStatus = new Gauge({ name: 'leader_election_master_status', help: '1 while this process holds the lease, 0 while it stands by', labelNames: ['name'], registers });

    this.builds = new Counter({ name: 'imagespec_builds_total', help: 'ImageSpecJobs that reached a terminal phase, by phase and reason', labelNames: ['result', 'reason'], registers });
    this.buildDuration = new Histogram({ name: 'imagespec_build_duration_seconds', help: 'From the build Pod starting to the build finishing, by terminal phase', labelNames: ['result'], buckets: BUILD_BUCKETS, registers });
    this.propagationTime = new Histogram({
      name: 'imagespec_status_propagation_seconds',
      help: 'From the build Pod\'s terminal state reaching the controller\'s cache to the ImageSpec status write showing it',
      buckets: PROPAGATION_BUCKETS,
      registers,
    });
  }

  /** The sink of the work queue called `name`. */
  workQueue(name: string): WorkQueueMetrics {
    const labels = { name };
    this.queueDepth.set(labels, 0);
    return {
      added: () => this.queueAdds.inc(labels),
      depth: (length) => this.queueDepth.set(labels, length),
      waited: (seconds) => this.queueDuration.observe(labels, seconds),
      worked: (seconds) => this.workDuration.observe(labels, seconds),
      retried: () => this.queueRetries.inc(labels),
      readHeld: (read) => this.heldReaders.set(name, read),
    };
  }

  /** The sink of the workers of the controller called `controller`. */
  controller(controller: string): ReconcileMetrics {
    const labels = { controller };
    // Every series exists from the start, so rates over them are defined before the first event.
    this.activeWorkers.set(labels, 0);
    this.reconcileErrors.inc(labels, 0);
    for (const result of RECONCILE_OUTCOMES) this.reconcileTotal.inc({ controller, result }, 0);
    return {
      workers: (count) => this.maxConcurrent.set(labels, count),
      started: () => this.activeWorkers.inc(labels),
      finished: (outcome: ReconcileOutcome, seconds: number) => {
        this.activeWorkers.dec(labels);
        this.reconcileTotal.inc({ controller, result: outcome });
        if (outcome === 'error') this.reconcileErrors.inc(labels);
        this.reconcileTime.observe(labels, seconds);
      },
    };
  }

  /**
   * The client-side rate limit's effect (request-limiter.ts): requests that had to wait for a
   * token, and how long they waited in all; read when scraped.
   */
  observeRequestLimiter(read: () => { throttled: number; throttledMs: number }): void {
    const registers = [this.registry];
    new Counter({
      name: 'rest_client_rate_limited_requests_total',
      help: 'API requests that waited for the client-side rate limit (IMAGESPEC_KUBE_API_QPS)',
      registers,
      collect() {
        this.reset();
        this.inc(read().throttled);
      },
    });
    new Counter({
      name: 'rest_client_rate_limiter_wait_seconds_total',
      help: 'Time API requests spent waiting for the client-side rate limit, in all',
      registers,
      collect() {
        this.reset();
        this.inc(read().throttledMs / 1000);
      },
    });
  }

  /** Whether this process holds the lease called `name`. */
  setLeader(name: string, leading: boolean): void {
    this.leaderStatus.set({ name }, leading ? 1 : 0);
  }

  buildStatusDecided(jobKey: string, current: ImageSpecJobStatus | undefined, next: ImageSpecJobStatus, podPhase: string | undefined): void {
    if (podPhase !== undefined && POD_DONE_PHASES.has(podPhase) && finishesBuild(current, next)) this.propagation.start(jobKey);
  }

  buildStatusWritten(current: ImageSpecJobStatus | undefined, next: ImageSpecJobStatus): void {
    if (!finishesBuild(current, next)) return;
    const labels = buildLabels(next);
    this.builds.inc(labels);
    const seconds = buildSeconds(next);
    if (seconds !== undefined) this.buildDuration.observe({ result: labels.result }, seconds);
  }

  jobGone(jobKey: string): void {
    this.propagation.cancel(jobKey);
  }

  imageSpecStatusWritten(namespace: string, status: ImageSpecStatus): void {
    if (!status.jobName || !isTerminalPhase(status.phase)) return;
    const seconds = this.propagation.stop(keyOf(namespace, status.jobName));
    if (seconds !== undefined) this.propagationTime.observe(seconds);
  }
}
