// Test harness for the integration suite: a real API server (the local cluster), the real
// controller as a child process, and helpers to read and write the objects (pod-status-writer.ts
// plays the kubelet).
import { currentBundle } from '../../bundle/bundle.ts';
import { CONTROLLER_NODE_FLAGS } from '../../controllers/runtime/node-options.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { GROUP, VERSION, type ImageSpec, type ImageSpecJob } from '../../api/types.ts';
import { mergePatch } from '../../controllers/runtime/kube.ts';
import { repoRoot, stateDir } from '../cluster/paths.ts';
import { installCrds as installCrdsOn } from '../crds.ts';
import { imageSpecJobs, imageSpecs } from '../custom-objects.ts';

export { mergePatch };

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

export function imageSpecObject(name: string, spec: ImageSpec['spec'], apiVersion = `${GROUP}/${VERSION}`) {
  return { apiVersion, kind: 'ImageSpec', metadata: { name }, spec };
}

export function createImageSpec(kube: Kube, namespace: string, body: object): Promise<ImageSpec> {
  return imageSpecs(kube.custom).create(namespace, body);
}

export function getImageSpec(kube: Kube, namespace: string, name: string): Promise<ImageSpec> {
  return imageSpecs(kube.custom).get(namespace, name);
}

export function patchImageSpec(kube: Kube, namespace: string, name: string, body: object): Promise<ImageSpec> {
  return imageSpecs(kube.custom).patch(namespace, name, body);
}

export function listJobs(kube: Kube, namespace: string): Promise<ImageSpecJob[]> {
  return imageSpecJobs(kube.custom).list(namespace);
}

export function getJob(kube: Kube, namespace: string, name: string): Promise<ImageSpecJob> {
  return imageSpecJobs(kube.custom).get(namespace, name);
}

export async function listPods(kube: Kube, namespace: string): Promise<V1Pod[]> {
  return (await kube.core.listNamespacedPod({ namespace })).items;
}

export interface ControllerProcess {
  child: ChildProcess;
  logFile: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  logs(): string;
}

/** Runs the real controller, bundled as it ships (bundle/bundle.ts), as a separate process. */
export function startController(kubeconfigPath: string, env: Record<string, string>, label: string): ControllerProcess {
  const logDir = join(stateDir, 'logs', 'tests');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `controller-${label}-${Date.now()}.log`);
  const out = createWriteStream(logFile);
  const child = spawn(process.execPath, [...CONTROLLER_NODE_FLAGS, currentBundle(repoRoot)], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      KUBECONFIG: kubeconfigPath,
      IMAGESPEC_ENV_FILE: '/dev/null',
      IMAGESPEC_LOG_FORMAT: 'json',
      IMAGESPEC_LOG_LEVEL: 'debug',
      // Several controllers run side by side: each serves health, metrics and uploads on free ports.
      IMAGESPEC_HTTP_PORT: '0',
      IMAGESPEC_UPLOAD_PORT: '0',
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
