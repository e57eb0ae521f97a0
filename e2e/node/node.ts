// The local cluster's worker node: loopback registries, locally built images, containerd and the
// kubelet. nodeUp is idempotent and fast when the images are cached; nodeDown leaves no process,
// mount, cgroup or log link behind.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Log } from '../cluster/build.ts';
import { apiserverUrl } from '../cluster/components.ts';
import { httpsGet, waitUntil, type TlsIdentity } from '../cluster/health.ts';
import { binDir as defaultBinDir } from '../cluster/paths.ts';
import { writeCniConfig } from './cni.ts';
import { startContainerd, stopContainerd, writeContainerdConfig } from './containerd.ts';
import { writeControllerEnv } from './controller-env.ts';
import { installBuildSeccompProfile } from './seccomp.ts';
import { recordMissingHostDirs, removeContainerLogLinks, removeCreatedHostDirs, removeKubepodsCgroups } from './host-leftovers.ts';
import { ensureNodeImages, type NodeImages } from './images/node-images.ts';
import { assertKubeletAlive, kubeletNodeName, kubeletRunning, podLogsDir, startKubelet, stopKubelet } from './kubelet.ts';
import { unmountBelow } from './mounts.ts';
import { buildCacheDir, containerdConfigPath, controllerEnvPath, nodeDir, pkiDir } from './paths.ts';
import { baseRegistry, pushCredentials, pushRegistry, registries, startRegistry, stopRegistry, type RegistryCredentials } from './registry.ts';
import { killOrphanShims } from './shims.ts';

export interface NodeUpOptions {
  log?: Log;
  /** Holds the pinned release's kubelet; defaults to the cluster's cache. */
  binDir?: string;
  readyTimeoutMs?: number;
}

export interface NodeInfo {
  /** The Node object's name (also its InternalIP). */
  nodeName: string;
  images: NodeImages;
  /** host:port of the registry built images are pushed to (htpasswd auth). */
  pushRegistry: string;
  /** Where built images go: `<repoPrefix>/<namespace>/<imagespec name>:<revision>`. */
  repoPrefix: string;
  /** Credentials for pushRegistry; also in controllerEnv. */
  pushCredentials: RegistryCredentials;
  /** host:port of the registry serving base and builder images (no auth). */
  baseRegistry: string;
  /** .env file with the controller's registry and builder settings for this node. */
  controllerEnv: string;
}

/** Repository path of built images in the push registry (a prefix must name a path: see the CRD). */
const builtImagesPath = 'imagespec';

const stderrLog: Log = (line) => process.stderr.write(`${line}\n`);

function adminTls(): TlsIdentity {
  const read = (file: string) => readFileSync(join(pkiDir, file));
  return { ca: read('ca.crt'), cert: read('admin.crt'), key: read('admin.key') };
}

interface NodeCondition {
  type: string;
  status: string;
  lastHeartbeatTime?: string;
}

/**
 * Whether the Node is Ready according to a kubelet heartbeat at or after `since` (ms): a Node
 * object left from an earlier run still says Ready for a while after its kubelet stopped.
 */
export function readyAfter(conditions: NodeCondition[] | undefined, since: number): boolean {
  const ready = conditions?.find((condition) => condition.type === 'Ready');
  if (ready?.status !== 'True' || !ready.lastHeartbeatTime) return false;
  // Heartbeats have one-second precision.
  return Date.parse(ready.lastHeartbeatTime) >= Math.floor(since / 1000) * 1000;
}

async function nodeConditions(name: string): Promise<NodeCondition[] | undefined> {
  const response = await httpsGet(`${apiserverUrl}/api/v1/nodes/${name}`, adminTls());
  if (response.status !== 200) return undefined;
  return (JSON.parse(response.body) as { status?: { conditions?: NodeCondition[] } }).status?.conditions;
}

/** Whether writing the containerd config changed it (then a running containerd must restart). */
function containerdConfigChanged(write: () => void): boolean {
  const before = existsSync(containerdConfigPath) ? readFileSync(containerdConfigPath, 'utf8') : '';
  write();
  return readFileSync(containerdConfigPath, 'utf8') !== before;
}

/** Starts (or finds running) the whole node and waits until the Node is Ready. Needs the control plane up. */
export async function nodeUp(opts: NodeUpOptions = {}): Promise<NodeInfo> {
  const log = opts.log ?? stderrLog;
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);

  for (const registry of registries) await startRegistry(registry, log);
  const images = await ensureNodeImages(log);
  const credentials = pushCredentials();
  const repoPrefix = `${pushRegistry.address}/${builtImagesPath}`;
  writeControllerEnv(controllerEnvPath, {
    pushRegistry: pushRegistry.address,
    repoPrefix,
    credentials,
    baseRegistry: baseRegistry.address,
    builderImage: images.builder.pinned,
    buildCache: buildCacheDir,
  });

  // Every start, so a running kubelet finds the current profile when it next creates a build container.
  installBuildSeccompProfile();
  recordMissingHostDirs();
  writeCniConfig();
  const changed = containerdConfigChanged(() => writeContainerdConfig(images.pause.pinned, registries.map((r) => r.address)));
  await startContainerd({ restart: changed }, log);

  let kubeletStarted = 0;
  if (!kubeletRunning()) {
    kubeletStarted = Date.now();
    startKubelet(join(opts.binDir ?? defaultBinDir(), 'kubelet'), log);
  }
  await waitUntil(`node ${kubeletNodeName} Ready`, async () => readyAfter(await nodeConditions(kubeletNodeName), kubeletStarted), {
    timeoutMs: opts.readyTimeoutMs ?? 120_000,
    stillAlive: assertKubeletAlive,
    intervalMs: 500,
  });
  log(`Node ${kubeletNodeName} Ready (${seconds()} s); controller settings in ${controllerEnvPath}`);

  return {
    nodeName: kubeletNodeName,
    images,
    pushRegistry: pushRegistry.address,
    repoPrefix,
    pushCredentials: credentials,
    baseRegistry: baseRegistry.address,
    controllerEnv: controllerEnvPath,
  };
}

/**
 * Stops the kubelet, every container, containerd and the registries, by recorded PID; then
 * unmounts what they mounted under .cluster/node and removes the host leftovers.
 */
export async function nodeDown(opts: { log?: Log } = {}): Promise<void> {
  const log = opts.log ?? stderrLog;
  await stopKubelet(log);
  await stopContainerd(log);
  const shims = await killOrphanShims();
  if (shims > 0) log(`Killed ${shims} containerd shim(s) left running`);
  await unmountBelow(nodeDir, log);
  const links = removeContainerLogLinks(podLogsDir);
  if (links > 0) log(`Removed ${links} container log link(s) from /var/log/containers`);
  for (const dir of removeCreatedHostDirs()) log(`Removed ${dir}`);
  const busy = removeKubepodsCgroups();
  if (busy > 0) log(`warning: ${busy} kubepods cgroup tree(s) still hold processes`);
  for (const registry of registries) await stopRegistry(registry, log);
}
