// Test harness for the integration suite: a real API server (the local cluster), the real
// controller as a child process, and helpers that play the kubelet by writing Pod status.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
  type V1PodStatus,
} from '@kubernetes/client-node';
import { GROUP, IMAGESPECJOB_PLURAL, IMAGESPEC_PLURAL, VERSION, type ImageSpec, type ImageSpecJob } from '../../api/types.ts';
import { repoRoot, stateDir } from '../cluster/paths.ts';
import { installCrds as installCrdsOn } from '../crds.ts';

export const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface Kube {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
}

export function connect(kubeconfigPath: string): Kube {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return {
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
  };
}

/** Installs the CRDs from crds/ on the test cluster. */
export async function installCrds(kube: Kube): Promise<string[]> {
  return installCrdsOn(kube.kubeConfig);
}

/** Polls `probe` until it returns a value; the wait is bounded and says what it waited for. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String((lastError as Error).message ?? lastError)})` : ''}`);
    }
    await sleep(everyMs);
  }
}

let namespaceCounter = 0;
export async function createNamespace(kube: Kube, prefix: string): Promise<string> {
  namespaceCounter += 1;
  const name = `${prefix}-${process.pid}-${namespaceCounter}`.slice(0, 63);
  await kube.core.createNamespace({ body: { metadata: { name, labels: { 'imagespec.dev/test': 'true' } } } });
  return name;
}

export async function deleteNamespace(kube: Kube, name: string): Promise<void> {
  await kube.core.deleteNamespace({ name }).catch(() => undefined);
}

export function imageSpecObject(name: string, spec: ImageSpec['spec'], apiVersion = `${GROUP}/${VERSION}`) {
  return { apiVersion, kind: 'ImageSpec', metadata: { name }, spec };
}

export async function createImageSpec(kube: Kube, namespace: string, body: object): Promise<ImageSpec> {
  return (await kube.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: IMAGESPEC_PLURAL, body })) as ImageSpec;
}

export async function getImageSpec(kube: Kube, namespace: string, name: string): Promise<ImageSpec> {
  return (await kube.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: IMAGESPEC_PLURAL, name })) as ImageSpec;
}

export async function patchImageSpec(kube: Kube, namespace: string, name: string, body: object): Promise<ImageSpec> {
  return (await kube.custom.patchNamespacedCustomObject(
    { group: GROUP, version: VERSION, namespace, plural: IMAGESPEC_PLURAL, name, body },
    mergePatch(),
  )) as ImageSpec;
}

export async function listJobs(kube: Kube, namespace: string): Promise<ImageSpecJob[]> {
  const list = (await kube.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: IMAGESPECJOB_PLURAL })) as { items: ImageSpecJob[] };
  return list.items;
}

export async function getJob(kube: Kube, namespace: string, name: string): Promise<ImageSpecJob> {
  return (await kube.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: IMAGESPECJOB_PLURAL, name })) as ImageSpecJob;
}

export async function listPods(kube: Kube, namespace: string): Promise<V1Pod[]> {
  return (await kube.core.listNamespacedPod({ namespace })).items;
}

/** Plays the kubelet: writes a Pod's status the way a kubelet reports it. */
export async function setPodStatus(kube: Kube, namespace: string, name: string, status: V1PodStatus): Promise<void> {
  await kube.core.patchNamespacedPodStatus({ namespace, name, body: { status } }, mergePatch());
}

export interface ControllerProcess {
  child: ChildProcess;
  logFile: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  logs(): string;
}

/** Runs the real controller (`node controllers/main.ts`) as a separate process. */
export function startController(kubeconfigPath: string, env: Record<string, string>, label: string): ControllerProcess {
  const logDir = join(stateDir, 'logs', 'tests');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `controller-${label}-${Date.now()}.log`);
  const out = createWriteStream(logFile);
  const child = spawn(process.execPath, [join(repoRoot, 'controllers', 'main.ts')], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      KUBECONFIG: kubeconfigPath,
      IMAGESPEC_ENV_FILE: '/dev/null',
      IMAGESPEC_LOG_FORMAT: 'json',
      IMAGESPEC_LOG_LEVEL: 'debug',
      // Several controllers run side by side: each serves health and metrics on a free port.
      IMAGESPEC_HTTP_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    logFile,
    logs: () => readFileSync(logFile, 'utf8'),
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      out.end();
      return code;
    },
  };
}
