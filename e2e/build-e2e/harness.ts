// Harness of the end-to-end build tests: the local cluster with its real node (kubelet,
// containerd, loopback registries), the CRDs, and the real controller configured by the node's
// .cluster/controller.env. Nothing here plays the kubelet: Pods really run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import type { ImageSpec } from '../../api/types.ts';
import { clusterUp } from '../cluster/cluster.ts';
import { kubectlPath, stateDir } from '../cluster/paths.ts';
import { nodeHooks } from '../node/hooks.ts';
import { connect, getImageSpec, installCrds, startController, type ControllerProcess, type Kube } from '../integration/harness.ts';
import { nodeUp, type NodeInfo } from '../node/node.ts';
import { buildCacheDir } from '../node/paths.ts';
import type { RegistryCredentials } from '../node/registry.ts';
import { waitFor } from '../wait.ts';

export interface E2e {
  kube: Kube;
  kubeconfig: string;
  node: NodeInfo;
}

const log = (line: string) => process.stderr.write(`[e2e] ${line}\n`);

/** Brings up (or finds) the cluster and its node, and installs the CRDs. */
export async function startE2e(): Promise<E2e> {
  const { kubeconfig } = await clusterUp({ log, node: nodeHooks });
  // Idempotent and quick once the node runs: it only returns what the tests need to know.
  const node = await nodeUp({ log: () => {} });
  const kube = connect(kubeconfig);
  await installCrds(kube);
  await pruneBuildCache(kube);
  return { kube, kubeconfig, node };
}

/**
 * The node's build cache has one directory per namespace, and every run of the suites uses new
 * namespaces: directories of namespaces that no longer exist are removed, or a machine that runs
 * the suites often fills its disk (and the kubelet taints the node with disk-pressure).
 */
async function pruneBuildCache(kube: Kube): Promise<void> {
  if (!existsSync(buildCacheDir)) return;
  const namespaces = new Set((await kube.core.listNamespace()).items.map((n) => n.metadata?.name));
  for (const entry of readdirSync(buildCacheDir)) {
    if (!namespaces.has(entry)) rmSync(join(buildCacheDir, entry), { recursive: true, force: true });
  }
}

/**
 * The real controller with the node's settings, watching only `namespaces` (several controllers
 * with different settings then share the cluster). Small CPU requests let the failure builds run
 * side by side on the two-core machine.
 */
export function startBuildController(e2e: E2e, label: string, namespaces: string[], overrides: Record<string, string> = {}): ControllerProcess {
  return startController(e2e.kubeconfig, {
    IMAGESPEC_ENV_FILE: e2e.node.controllerEnv,
    IMAGESPEC_NAMESPACES: namespaces.join(','),
    IMAGESPEC_BUILD_CPU_REQUEST: '100m',
    IMAGESPEC_LOG_LEVEL: 'info',
    ...overrides,
  }, label);
}

export function namespaceName(suffix: string): string {
  return `e2e-${process.pid}-${suffix}`.slice(0, 63);
}

/** Builds take minutes: their waits poll once a second. */
export const BUILD_POLL_MS = 1000;

/**
 * Waits until the ImageSpec's current revision has finished (Succeeded or Failed); with
 * `previousRevision`, until a different revision has.
 */
export async function finished(kube: Kube, namespace: string, name: string, timeoutMs = 15 * 60_000, previousRevision?: string): Promise<ImageSpec> {
  return waitFor(`ImageSpec ${namespace}/${name} to finish`, async () => {
    const spec = await getImageSpec(kube, namespace, name);
    if (previousRevision && spec.status?.revision === previousRevision) return undefined;
    return spec.status?.phase === 'Succeeded' || spec.status?.phase === 'Failed' ? spec : undefined;
  }, timeoutMs, BUILD_POLL_MS);
}

export function readyCondition(spec: ImageSpec) {
  return spec.status?.conditions?.find((condition) => condition.type === 'Ready');
}

/**
 * Keeps the build Pod's logs (both steps) of a finished ImageSpec under .cluster/logs/tests/builds,
 * so a failing run can be examined after its namespace is gone. Returns the file's path.
 */
export function keepBuildLogs(e2e: E2e, namespace: string, spec: ImageSpec): string {
  const dir = join(stateDir, 'logs', 'tests', 'builds');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${namespace}-${spec.metadata.name}-${Date.now()}.log`);
  const pod = `${spec.status?.jobName}-build`;
  const sections = ['build', 'push'].map((container) => {
    try {
      return `== ${container}\n${kubectl(e2e, ['logs', '-n', namespace, pod, '-c', container])}`;
    } catch (error) {
      return `== ${container}: no logs (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
    }
  });
  writeFileSync(file, `${JSON.stringify(spec.status, null, 2)}\n${sections.join('\n')}\n`);
  return file;
}

/** The pinned kubectl against the local cluster, as `npm run kubectl` runs it. */
export function kubectl(e2e: E2e, args: string[]): string {
  return execFileSync(kubectlPath(), args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: e2e.kubeconfig }, maxBuffer: 64 * 1024 * 1024 });
}

const manifestAccept = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

function splitReference(ref: string): { host: string; repository: string; reference: string } {
  const match = /^([^/]+)\/(.+?)(?::([^:/@]+))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(ref);
  if (!match?.[1] || !match[2]) throw new Error(`not a registry image reference: ${ref}`);
  return { host: match[1], repository: match[2], reference: match[4] ?? match[3] ?? 'latest' };
}

/** A .dockerconfigjson for one registry, with the `auth` field containers/image reads. */
export function dockerConfigJson(registry: string, credentials: RegistryCredentials): string {
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  return JSON.stringify({ auths: { [registry]: { auth } } });
}

/** GET of a manifest from a loopback registry, with basic auth when credentials are given. */
export async function fetchManifest(ref: string, credentials?: RegistryCredentials): Promise<{ digest: string; layers: string[] }> {
  const { host, repository, reference } = splitReference(ref);
  const headers: Record<string, string> = { Accept: manifestAccept };
  if (credentials) headers['Authorization'] = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const response = await fetch(`http://${host}/v2/${repository}/manifests/${reference}`, { headers });
  if (!response.ok) throw new Error(`GET manifest ${ref}: HTTP ${response.status}`);
  const manifest = (await response.json()) as { layers?: { digest: string }[] };
  return { digest: response.headers.get('docker-content-digest') ?? '', layers: (manifest.layers ?? []).map((layer) => layer.digest) };
}

/**
 * Runs `script` in a Pod of `image` on the node (host network: the node has no pod network)
 * and returns its phase and output. With credentials, the Pod pulls with a Secret the test makes
 * for it, as an admin gives a namespace that runs built images access to the registry.
 */
export async function runInImage(
  kube: Kube,
  namespace: string,
  name: string,
  image: string,
  script: string,
  credentials?: RegistryCredentials,
): Promise<{ phase: string; logs: string }> {
  const pullSecret = credentials ? `${name}-pull` : undefined;
  if (credentials) {
    await kube.core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: pullSecret },
        type: 'kubernetes.io/dockerconfigjson',
        stringData: { '.dockerconfigjson': dockerConfigJson(splitReference(image).host, credentials) },
      },
    });
  }
  const pod: V1Pod = {
    metadata: { name, namespace },
    spec: {
      restartPolicy: 'Never',
      hostNetwork: true,
      automountServiceAccountToken: false,
      ...(pullSecret ? { imagePullSecrets: [{ name: pullSecret }] } : {}),
      containers: [{ name: 'check', image, command: ['/bin/sh', '-c', script] }],
    },
  };
  await kube.core.createNamespacedPod({ namespace, body: pod });
  const phase = await waitFor(`Pod ${namespace}/${name} to finish`, async () => {
    const current = await kube.core.readNamespacedPod({ namespace, name });
    const p = current.status?.phase;
    return p === 'Succeeded' || p === 'Failed' ? p : undefined;
  }, 180_000, BUILD_POLL_MS);
  const logs = await kube.core.readNamespacedPodLog({ namespace, name, container: 'check' });
  return { phase, logs };
}

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
