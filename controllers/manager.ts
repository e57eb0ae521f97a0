// Wires informers, work queues and the two controllers together.
// Events only enqueue keys: Pod -> its ImageSpecJob, ImageSpecJob -> itself and its ImageSpec,
// ImageSpec -> itself, Node -> the ImageSpecJobs of unfinished Pods on it. Reconciles read the
// caches, so status moves by watch; the only timed work is the informers' periodic resync (repairs
// a missed event), the recheck of a missing pull Secret (Secrets are not watched) and of a build
// whose node is not Ready (it is lost once the node stays away long enough).
// Every replica watches; only the leader takes keys from the queues (see leader-election.ts).
import { CoordinationV1Api, type KubeConfig, type KubernetesListObject, type KubernetesObject, type V1ConfigMap, type V1Node, type V1Pod } from '@kubernetes/client-node';
import {
  BUILD_POD_SELECTOR,
  GROUP,
  IMAGESPECJOB_PLURAL,
  IMAGESPEC_PLURAL,
  LABEL_IMAGESPEC,
  LABEL_JOB,
  VERSION,
  type ImageSpec,
  type ImageSpecJob,
} from '../api/types.ts';
import { controllerOf } from '../api/owner-references.ts';
import type { Config, LeaderElectionConfig } from '../config/types.ts';
import { transportFor } from '../registry/client.ts';
import { registryLookup } from '../registry/existing-image.ts';
import { NamespacedCache } from './runtime/cache.ts';
import { ChildIndex } from './runtime/child-index.ts';
import { createEventRecorder } from './runtime/events.ts';
import { withEventPolicy } from './runtime/event-policy.ts';
import { workersLiveness, type Liveness } from './runtime/health.ts';
import { describeError, ResilientInformer, type InformerFactory } from './runtime/informer.ts';
import { METADATA_LIST_ACCEPT, metadataInformer } from './runtime/metadata-only.ts';
import { slimNode, slimObject, slimPod, slimToIdentity } from './runtime/slim.ts';
import { listInPages, type Page } from './runtime/paged-list.ts';
import { keyOf, makeClients, type Clients } from './runtime/kube.ts';
import { LeaderElector, type LeaderElectorOptions } from './runtime/leader-election.ts';
import { candidateIdentity, leaseNamespace } from './runtime/leader-identity.ts';
import type { Logger } from './runtime/logger.ts';
import type { Metrics } from './runtime/metrics.ts';
import { memoryReducingCollection, startIdleCompaction } from './runtime/idle-compaction.ts';
import { untypedJson } from './runtime/untyped-json.ts';
import { runWorkers } from './runtime/worker.ts';
import { WorkQueue } from './runtime/workqueue.ts';
import { ImageSpecController } from './imagespec/controller.ts';
import { ImageSpecJobController } from './imagespecjob/controller.ts';
import { CONTEXT_ANNOTATION_PREFIX } from './imagespecjob/pod.ts';

export interface Manager {
  /**
   * Resolves once every informer has made its first list attempt. Without leader election the
   * workers then run at once; with it, they run from when this replica acquires the Lease.
   */
  start(): Promise<void>;
  /**
   * Stops taking keys, waits up to the shutdown timeout for running reconciles, stops watching
   * and releases the Lease. Resolves false when reconciles were still running at the timeout.
   */
  stop(): Promise<boolean>;
  /** Every informer the reconciles read has listed once (not the ConfigMap one, which only re-queues). */
  synced(): boolean;
  /** Leader election is off, or this replica holds the Lease (its workers run once synced). */
  leading(): boolean;
  /** Not stuck: no reconcile has run past its bound (for /healthz). */
  live(): Liveness;
}

export interface ManagerOptions {
  /** Every change of leadership (a gauge); without leader election, true once started. */
  onLeadershipChange?: (leading: boolean) => void;
  /**
   * The Lease could not be renewed in time or was taken: the workers have stopped taking keys,
   * and the process must exit (non-zero) so it never acts on stale leadership.
   */
  onLostLeadership?: () => void;
  /** Work queue, reconcile and build metrics; none are kept without it. */
  metrics?: Metrics;
}

/** One page of a collection (paged-list.ts), in a namespace or ('') in all of them. */
type ListFn<T extends KubernetesObject> = (namespace: string, page: Page) => Promise<KubernetesListObject<T>>;

function collectionPath(prefix: string, namespace: string, plural: string): string {
  return namespace ? `${prefix}/namespaces/${namespace}/${plural}` : `${prefix}/${plural}`;
}

/** Resolves true when `promise` settles within `ms`, false otherwise. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

type ElectionCallbacks = Pick<LeaderElectorOptions, 'onStartedLeading' | 'onStoppedLeading' | 'onLeadershipChange'>;

function leaderElector(kubeConfig: KubeConfig, settings: LeaderElectionConfig, log: Logger, callbacks: ElectionCallbacks): LeaderElector {
  return new LeaderElector({
    api: kubeConfig.makeApiClient(CoordinationV1Api),
    namespace: leaseNamespace(settings.namespace),
    name: settings.leaseName,
    identity: candidateIdentity(),
    timings: {
      leaseDurationMs: settings.leaseDurationSeconds * 1000,
      renewDeadlineMs: settings.renewDeadlineSeconds * 1000,
      retryPeriodMs: settings.retryPeriodSeconds * 1000,
    },
    log,
    ...callbacks,
  });
}

export function createManager(kubeConfig: KubeConfig, config: Config, log: Logger, options: ManagerOptions = {}): Manager {
  const clients: Clients = makeClients(kubeConfig);
  const { metrics } = options;
  const imageSpecQueue = new WorkQueue(undefined, { metrics: metrics?.workQueue('imagespec') });
  const jobQueue = new WorkQueue(undefined, { metrics: metrics?.workQueue('imagespecjob') });
  const events = withEventPolicy(createEventRecorder(kubeConfig, log), config.events);
  const namespaces = config.namespaces.length > 0 ? config.namespaces : [''];
  const listed = new Set<string>();
  let cachesSynced: () => void = () => undefined;
  const whenSynced = new Promise<void>((resolve) => (cachesSynced = resolve));

  function informers<T extends KubernetesObject>(
    kind: string,
    prefix: string,
    plural: string,
    list: ListFn<T>,
    onEvent: (obj: T) => void,
    {
      labelSelector,
      scopes = namespaces,
      slim = slimObject,
      factory,
      gatesReadiness = true,
    }: {
      labelSelector?: string;
      /** How the list-then-watch cache is made: streamingInformer unless given (metadata-only.ts). */
      factory?: InformerFactory<T>;
      /** Whether the workers and readiness wait for its first list (false: it only re-queues). */
      gatesReadiness?: boolean;
      /** Where to watch: the watched namespaces, or [''] for a cluster-scoped kind. */
      scopes?: readonly string[];
      /** What the cache keeps of each object (slim.ts). */
      slim?: (obj: T) => unknown;
    } = {},
  ): NamespacedCache<T> {
    const byNamespace = new Map<string, ResilientInformer<T>>();
    for (const namespace of scopes) {
      byNamespace.set(
        namespace,
        new ResilientInformer<T>(kubeConfig, {
          kind,
          path: collectionPath(prefix, namespace, plural),
          // Marked listed just before the informer stores the items, with no timer or I/O event
          // in between, so no caller of synced() sees the mark without the items. The workers
          // wait one turn more (setImmediate), until the last informer has stored its items.
          list: async () => {
            // Every list keeps the server's JSON (custom objects, untyped-json.ts), the shape the
            // watch events have too, so each object is trimmed in place as its page arrives.
            const items = await listInPages((page) => list(namespace, page), (obj) => {
              slim(obj);
              return obj;
            });
            if (gatesReadiness) listed.add(`${kind} ${namespace}`);
            if (synced()) setImmediate(cachesSynced);
            return items;
          },
          labelSelector,
          onEvent,
          slim,
          log,
        }, factory),
      );
    }
    return new NamespacedCache(byNamespace);
  }

  const customPrefix = `/apis/${GROUP}/${VERSION}`;
  const listCustom = (plural: string) => (namespace: string, page: Page) =>
    (namespace
      ? clients.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural, ...page })
      : clients.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural, ...page })) as Promise<KubernetesListObject<never>>;

  const jobsByImageSpec = new ChildIndex();
  /** ImageSpecs by the ConfigMap their spec.build.context names: a ConfigMap's change re-queues them. */
  const imageSpecsByContext = new ChildIndex();
  const imageSpecs = informers<ImageSpec & KubernetesObject>(
    'ImageSpec',
    customPrefix,
    IMAGESPEC_PLURAL,
    listCustom(IMAGESPEC_PLURAL),
    (spec) => {
      imageSpecQueue.add(keyOf(spec.metadata?.namespace, spec.metadata?.name));
      const context = spec.spec?.build?.context?.configMap?.name;
      if (context) imageSpecsByContext.note(spec.metadata?.namespace ?? '', context, spec.metadata?.name ?? '');
    },
  );
  // ConfigMaps, metadata only, while Dockerfile builds from them are allowed: a context's content is
  // part of its ImageSpec's revision, so editing it must rebuild. The reconcile reads the one
  // ConfigMap it needs; the cache holds each ConfigMap's identity only (slimToIdentity).
  const configMaps = config.build.contextSources.includes('configMap')
    ? informers<V1ConfigMap>(
        'ConfigMap',
        '/api/v1',
        'configmaps',
        (namespace, page) =>
          untypedJson(
            (options) => (namespace ? clients.core.listNamespacedConfigMap({ namespace, ...page }, options) : clients.core.listConfigMapForAllNamespaces(page, options)),
            METADATA_LIST_ACCEPT,
          ),
        (configMap) => {
          const namespace = configMap.metadata?.namespace ?? '';
          const name = configMap.metadata?.name ?? '';
          for (const spec of imageSpecsByContext.children(namespace, name, (specName) => imageSpecs.get(specName, namespace))) {
            if (spec.spec.build?.context.configMap?.name === name) imageSpecQueue.add(keyOf(namespace, spec.metadata.name));
          }
        },
        // Not a gate: reconciles read the ConfigMap itself, and a cluster whose RBAC lacks ConfigMaps
        // must still build from base images (the informer keeps retrying and logs why).
        { factory: metadataInformer<V1ConfigMap>(), slim: slimToIdentity, gatesReadiness: false },
      )
    : undefined;
  const jobs = informers<ImageSpecJob & KubernetesObject>(
    'ImageSpecJob',
    customPrefix,
    IMAGESPECJOB_PLURAL,
    listCustom(IMAGESPECJOB_PLURAL),
    (job) => {
      jobQueue.add(keyOf(job.metadata?.namespace, job.metadata?.name));
      const owner = controllerOf(job.metadata)?.name ?? job.metadata?.labels?.[LABEL_IMAGESPEC];
      if (owner) {
        jobsByImageSpec.note(job.metadata?.namespace ?? '', owner, job.metadata?.name ?? '');
        imageSpecQueue.add(keyOf(job.metadata?.namespace, owner));
      }
    },
  );
  const pods = informers<V1Pod>(
    'Pod',
    '/api/v1',
    'pods',
    (namespace, page) =>
      untypedJson((options) =>
        namespace
          ? clients.core.listNamespacedPod({ namespace, labelSelector: BUILD_POD_SELECTOR, ...page }, options)
          : clients.core.listPodForAllNamespaces({ labelSelector: BUILD_POD_SELECTOR, ...page }, options),
      ),
    (pod) => {
      const job = pod.metadata?.labels?.[LABEL_JOB];
      if (job) jobQueue.add(keyOf(pod.metadata?.namespace, job));
    },
    { labelSelector: BUILD_POD_SELECTOR, slim: (pod) => slimPod(pod, CONTEXT_ANNOTATION_PREFIX) },
  );

  // Nodes (cluster-wide, read only): a build whose node stops answering is ended by the controller,
  // since Kubernetes may never evict it. A Node's change re-queues the jobs of unfinished Pods on it.
  const nodes =
    config.build.nodeLostSeconds > 0
      ? informers<V1Node>(
          'Node',
          '/api/v1',
          'nodes',
          (_namespace, page) => untypedJson((options) => clients.core.listNode(page, options)),
          (node) => {
            for (const pod of pods.all().flatMap((informer) => informer.list())) {
              const job = pod.metadata?.labels?.[LABEL_JOB];
              const running = pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
              if (job && running && pod.spec?.nodeName === node.metadata?.name) jobQueue.add(keyOf(pod.metadata?.namespace, job));
            }
          },
          { scopes: [''], slim: slimNode },
        )
      : undefined;
  const nodeCache = nodes ? { get: (name: string) => nodes.get(name, '') } : undefined;

  const jobsOf = (namespace: string, imageSpecName: string) =>
    jobsByImageSpec.children(namespace, imageSpecName, (name) => jobs.get(name, namespace));
  const imageSpecController = new ImageSpecController({ clients, imageSpecs, jobsOf, config, log, events, metrics });
  const imageLookup = config.registry ? registryLookup(config.registry, transportFor(config.registry.endpoint, config.build, config.registryCa?.pem)) : undefined;
  const jobController = new ImageSpecJobController({ clients, jobs, pods, imageSpecs, nodes: nodeCache, config, log, events, metrics, imageLookup });
  let resyncTimer: NodeJS.Timeout | undefined;
  let workers: Promise<unknown> | undefined;
  let leading = false;
  let stopping = false;
  let stopCompaction: (() => void) | undefined;
  const allInformers = () => [...pods.all(), ...jobs.all(), ...imageSpecs.all(), ...(nodes?.all() ?? []), ...(configMaps?.all() ?? [])];
  const gatingInformers = () => [...pods.all(), ...jobs.all(), ...imageSpecs.all(), ...(nodes?.all() ?? [])];
  const synced = () => listed.size === gatingInformers().length;

  function stopTakingKeys(): void {
    clearInterval(resyncTimer);
    imageSpecQueue.shutDown();
    jobQueue.shutDown();
  }

  /** Leading starts the workers, once every cache has listed: reconciles must not read a partial cache. */
  function lead(): void {
    if (stopping) return;
    leading = true;
    if (!synced()) log.info('Waiting for the caches to fill before taking work');
    void whenSynced.then(startWorkers);
  }

  function startWorkers(): void {
    if (stopping || !leading) return;
    // Level-triggered: whatever happened before this replica led, every object is looked at again.
    for (const informer of [...jobs.all(), ...imageSpecs.all()]) informer.resync();
    workers = Promise.all([
      runWorkers({ kind: 'ImageSpec', queue: imageSpecQueue, reconcile: imageSpecController.reconcile, workers: config.workers, log, metrics: metrics?.controller('imagespec') }),
      runWorkers({ kind: 'ImageSpecJob', queue: jobQueue, reconcile: jobController.reconcile, workers: config.workers, log, metrics: metrics?.controller('imagespecjob') }),
    ]);
    resyncTimer = setInterval(() => {
      for (const informer of allInformers()) informer.resync();
    }, config.resyncSeconds * 1000);
    resyncTimer.unref();
    log.info('Started controllers', { namespaces: config.namespaces.length ? config.namespaces : 'all', workers: config.workers });
  }

  const elector = config.leaderElection.enabled
    ? leaderElector(kubeConfig, config.leaderElection, log, {
        onStartedLeading: lead,
        onLeadershipChange: options.onLeadershipChange,
        onStoppedLeading: (reason) => {
          leading = false;
          if (reason !== 'lost') return;
          stopTakingKeys();
          options.onLostLeadership?.();
        },
      })
    : undefined;

  return {
    synced,
    leading: () => leading,
    live: () =>
      workersLiveness([
        { controller: 'imagespec', held: () => imageSpecQueue.held() },
        { controller: 'imagespecjob', held: () => jobQueue.held() },
      ]),
    async start() {
      // All lists at once: no reconcile runs before every cache has listed (lead waits for
      // whenSynced), so the order they fill in does not matter, and start-up takes the longest
      // list instead of their sum.
      const collect = memoryReducingCollection();
      if (collect) {
        stopCompaction = startIdleCompaction({ workDone: () => imageSpecQueue.completed + jobQueue.completed, synced, collect, log });
      }
      // The ConfigMap informer only re-queues: the election and the workers do not wait for its
      // cluster-wide list (it retries on its own, like every informer, when a list fails).
      for (const informer of configMaps?.all() ?? []) void informer.start().catch((error: unknown) => log.warn('Could not start the ConfigMap informer', { error: describeError(error) }));
      await Promise.all(gatingInformers().map((informer) => informer.start()));
      if (stopping) return;
      if (!elector) {
        lead();
        options.onLeadershipChange?.(true);
        return;
      }
      elector.run().catch((error: unknown) => log.error('Leader election stopped', { error: describeError(error) }));
    },
    async stop() {
      stopping = true;
      stopCompaction?.();
      stopTakingKeys();
      const timeoutMs = config.shutdownTimeoutSeconds * 1000;
      const finished = await settlesWithin(workers ?? Promise.resolve(), timeoutMs);
      if (!finished) {
        log.warn('Stopped waiting for running reconciles', {
          timeoutSeconds: config.shutdownTimeoutSeconds,
          running: imageSpecQueue.processingCount + jobQueue.processingCount,
        });
      }
      await Promise.all(allInformers().map((informer) => informer.stop()));
      imageLookup?.close();
      // The last series counts of aggregated Events go out before the process ends.
      if (events) await settlesWithin(events.flush(), 5_000);
      // Released only now: while reconciles still ran, this replica had to keep the Lease.
      await elector?.release();
      if (!elector && leading) options.onLeadershipChange?.(false);
      leading = false;
      log.info('Stopped controllers');
      return finished;
    },
  };
}
