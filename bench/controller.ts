// The controller under test: the bundle of the current sources in a separate process, as the image
// runs it (startController from the integration harness), its readiness, work queues, CPU time and
// resident memory.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { currentBundle } from '../bundle/bundle.ts';
import { chaosControllerEnv } from '../e2e/chaos/namespace-state.ts';
import { repoRoot } from '../e2e/cluster/paths.ts';
import { startController, type ControllerProcess } from '../e2e/integration/harness.ts';
import { httpPortFromLog } from './controller-log.ts';
import { cpuTicks, rssKiB } from './proc.ts';
import { parsePrometheusText, sumOf } from './prometheus-text.ts';

const READY_TIMEOUT_MS = 300_000;
const POLL_MS = 10;

export interface RunningController {
  process: ControllerProcess;
  pid: number;
  port: number;
  /** From spawning the process to /readyz answering 200. */
  readyMs: number;
}

/** The log so far; empty until the file exists (it is opened asynchronously). */
function logText(controller: ControllerProcess): string {
  try {
    return controller.logs();
  } catch {
    return '';
  }
}

function logTail(controller: ControllerProcess): string {
  return logText(controller).split('\n').slice(-20).join('\n');
}

async function status(url: string): Promise<number> {
  return (await fetch(url).catch(() => undefined))?.status ?? 0;
}

/**
 * The chaos suites' settings (a registry endpoint nothing builds against, only `namespace`
 * watched, info logs), with build Pods on the benchmark's Node (node.ts) instead of on none.
 */
export function benchControllerEnv(namespace: string, nodeSelector: string, nodeOptions?: string): Record<string, string> {
  return {
    ...chaosControllerEnv('bench', namespace, 'info'),
    IMAGESPEC_BUILD_NODE_SELECTOR: nodeSelector,
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
  };
}

/**
 * Starts the controller watching only `namespace`, its build Pods selecting `nodeSelector`
 * (IMAGESPEC_BUILD_NODE_SELECTOR), and waits until its /readyz answers 200.
 */
export async function startReadyController(kubeconfig: string, namespace: string, nodeSelector: string, label: string): Promise<RunningController> {
  // Bundled before the clock starts (once per process): the image carries its bundle ready-made.
  currentBundle(repoRoot);
  const spawnedAt = performance.now();
  const env = benchControllerEnv(namespace, nodeSelector, process.env.BENCH_CONTROLLER_NODE_OPTIONS);
  const controller = startController(kubeconfig, env, `bench-${label}`);
  const deadline = spawnedAt + READY_TIMEOUT_MS;
  let port: number | undefined;
  while (performance.now() < deadline) {
    if (controller.child.exitCode !== null || controller.child.signalCode !== null) {
      throw new Error(`The controller exited (${controller.child.exitCode ?? controller.child.signalCode}) before it was ready; last lines of ${controller.logFile}:\n${logTail(controller)}`);
    }
    port ??= httpPortFromLog(logText(controller));
    if (port !== undefined && (await status(`http://127.0.0.1:${port}/readyz`)) === 200) {
      return { process: controller, pid: controller.child.pid!, port, readyMs: performance.now() - spawnedAt };
    }
    await sleep(POLL_MS);
  }
  await controller.stop();
  throw new Error(`The controller was not ready within ${READY_TIMEOUT_MS / 1000} s; last lines of ${controller.logFile}:\n${logTail(controller)}`);
}

/** Keys waiting in the controller's queues plus keys its workers hold: 0 when it has nothing to do. */
export async function pendingWork(controller: RunningController): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${controller.port}/metrics`);
  const samples = parsePrometheusText(await response.text());
  return sumOf(samples, 'workqueue_depth') + sumOf(samples, 'workqueue_unfinished_work_seconds');
}

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) the process has used so far. */
export function cpuMs(pid: number): number {
  return (cpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * 1000) / ticksPerSecond;
}

export function rssMb(pid: number): number {
  return Math.round(rssKiB(readFileSync(`/proc/${pid}/status`, 'utf8')) / 1024);
}

/** Samples a process's resident memory every 500 ms and keeps the peak. */
export class RssSampler {
  peakMb = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(pid: number) {
    const sample = () => {
      try {
        this.peakMb = Math.max(this.peakMb, rssMb(pid));
      } catch {
        // the process has exited: the peak stands
      }
    };
    sample();
    this.timer = setInterval(sample, 500);
  }

  stop(): number {
    clearInterval(this.timer);
    return this.peakMb;
  }
}
