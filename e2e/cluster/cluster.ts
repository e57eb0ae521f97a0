// Starts and stops the local control plane: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, all on 127.0.0.1, state in <repo>/.cluster.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ensureBinaries, type Log } from './build.ts';
import {
  apiserverArgs,
  apiserverUrl,
  controllerManagerArgs,
  etcdArgs,
  loopback,
  ports,
  schedulerArgs,
  serviceCidr,
  type Layout,
} from './components.ts';
import { httpsGet, waitUntil, type TlsIdentity } from './health.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { withLock } from './lock.ts';
import { claimPorts, clusterLockPath, portsOwner, portsTakenMessage, releasePorts } from './machine.ts';
import type { ControlPlane, NodeHooks } from './node-hooks.ts';
import { binDir, binaryPath, dataDir, kubeconfigPath, logDir, pidDir, pkiDir, stateDir } from './paths.ts';
import { ensurePki } from './pki.ts';
import { isRunning, logTail, readPidRecord, startDaemon, stopDaemon, type DaemonSpec } from './processes.ts';

/** Start order; stopped in reverse. */
export const controlPlaneDaemons = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;

const layout: Layout = { pkiDir, dataDir, stateDir };
const dirs = { pidDir, logDir };
const readyTimeoutMs = 120_000;

export interface ClusterUpOptions {
  log?: Log;
  /** The node to start once the control plane is ready (e2e/node/hooks.ts exports it). */
  node?: NodeHooks;
}

const stderrLog: Log = (line) => process.stderr.write(`${line}\n`);

/** The etcd to run: $IMAGESPEC_ETCD, else `etcd` on the PATH (Debian's etcd-server). */
export function etcdPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env['IMAGESPEC_ETCD']) return env['IMAGESPEC_ETCD'];
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'etcd'))) return join(dir, 'etcd');
  }
  throw new Error('etcd not found on PATH: install it with `apt-get install -y etcd-server` (or set IMAGESPEC_ETCD)');
}

function adminTls(): TlsIdentity {
  return {
    ca: readFileSync(join(pkiDir, 'ca.crt')),
    cert: readFileSync(join(pkiDir, 'admin.crt')),
    key: readFileSync(join(pkiDir, 'admin.key')),
  };
}

async function apiserverReady(): Promise<boolean> {
  if (!existsSync(join(pkiDir, 'admin.key'))) return false;
  return (await httpsGet(`${apiserverUrl}/readyz`, adminTls())).status === 200;
}

function allDaemonsRunning(): boolean {
  return controlPlaneDaemons.every((name) => isRunning(readPidRecord(pidDir, name)));
}

/** Throws with the log tail of the first daemon that has died. */
function assertDaemonsAlive(names: readonly string[]): void {
  for (const name of names) {
    if (!isRunning(readPidRecord(pidDir, name))) {
      throw new Error(`${name} exited during startup; last lines of ${join(logDir, `${name}.log`)}:\n${logTail(logDir, name)}`);
    }
  }
}

function controlPlaneInfo(log: Log): ControlPlane {
  return { kubeconfig: kubeconfigPath, apiserverUrl, pkiDir, stateDir, pidDir, logDir, dataDir, binDir: binDir(), log };
}

const componentKubeconfigs = {
  controllerManager: join(stateDir, 'kube-controller-manager.kubeconfig'),
  scheduler: join(stateDir, 'kube-scheduler.kubeconfig'),
};

function writeComponentKubeconfigs(): void {
  const ca = join(pkiDir, 'ca.crt');
  const write = (path: string, user: string, stem: string) =>
    writeKubeconfig(path, { server: apiserverUrl, user, ca, cert: join(pkiDir, `${stem}.crt`), key: join(pkiDir, `${stem}.key`) });
  write(kubeconfigPath, 'admin', 'admin');
  write(componentKubeconfigs.controllerManager, 'system:kube-controller-manager', 'kube-controller-manager');
  write(componentKubeconfigs.scheduler, 'system:kube-scheduler', 'kube-scheduler');
}

async function startControlPlane(log: Log): Promise<void> {
  for (const dir of [stateDir, pidDir, logDir, dataDir]) mkdirSync(dir, { recursive: true });
  ensurePki(pkiDir, serviceCidr);
  writeComponentKubeconfigs();
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);

  const etcd = startDaemon(componentSpec('etcd'), dirs);
  log(`Started etcd (pid ${etcd.pid}) on ${loopback}:${ports.etcdClient}`);
  await waitUntil(
    'etcd health',
    async () => (await fetch(`http://${loopback}:${ports.etcdClient}/health`)).ok,
    { timeoutMs: 30_000, stillAlive: () => assertDaemonsAlive(['etcd']) },
  );

  const apiserver = startDaemon(componentSpec('kube-apiserver'), dirs);
  log(`Started kube-apiserver (pid ${apiserver.pid}) on ${loopback}:${ports.apiserver}`);
  await waitUntil('kube-apiserver /readyz', apiserverReady, {
    timeoutMs: readyTimeoutMs,
    stillAlive: () => assertDaemonsAlive(['etcd', 'kube-apiserver']),
  });
  log(`kube-apiserver ready at ${apiserverUrl} (${seconds()} s)`);

  // Only now: both exit at once if their delegated authentication lookup meets RBAC roles
  // the API server has not bootstrapped yet; /readyz covers that bootstrap.
  const daemons: DaemonSpec[] = [componentSpec('kube-controller-manager'), componentSpec('kube-scheduler')];
  for (const daemon of daemons) {
    const record = startDaemon(daemon, dirs);
    log(`Started ${daemon.name} (pid ${record.pid})`);
  }
  const alive = () => assertDaemonsAlive(controlPlaneDaemons);
  // The default ServiceAccount proves the controller manager runs and is authorized.
  await waitUntil(
    'the default ServiceAccount',
    async () => (await httpsGet(`${apiserverUrl}/api/v1/namespaces/default/serviceaccounts/default`, adminTls())).status === 200,
    { timeoutMs: readyTimeoutMs, stillAlive: alive },
  );
  const insecureLoopback: TlsIdentity = { ca: '', insecure: true };
  await waitUntil(
    'kube-scheduler /healthz',
    async () => (await httpsGet(`https://${loopback}:${ports.scheduler}/healthz`, insecureLoopback)).status === 200,
    { timeoutMs: readyTimeoutMs, stillAlive: alive },
  );
  log(`Control plane ready (${seconds()} s)`);
}

/** The control-plane daemons a chaos test may stop and start again. */
export type RestartableComponent = 'etcd' | 'kube-apiserver';

function componentSpec(name: (typeof controlPlaneDaemons)[number]): DaemonSpec {
  const kubeconfigs = componentKubeconfigs;
  switch (name) {
    case 'etcd':
      return { name, command: etcdPath(), args: etcdArgs(layout) };
    case 'kube-apiserver':
      return { name, command: binaryPath('kube-apiserver'), args: apiserverArgs(layout) };
    case 'kube-controller-manager':
      return { name, command: binaryPath('kube-controller-manager'), args: controllerManagerArgs(layout, kubeconfigs.controllerManager) };
    case 'kube-scheduler':
      return { name, command: binaryPath('kube-scheduler'), args: schedulerArgs(layout, kubeconfigs.scheduler) };
  }
}

/** Stops one component of the running control plane (SIGTERM, then SIGKILL if it lingers). */
export async function stopComponent(name: RestartableComponent, log: Log = stderrLog): Promise<void> {
  if (await stopDaemon(pidDir, name)) log(`Stopped ${name}`);
}

/**
 * Starts a stopped component again with its usual arguments and data, waits until the API server
 * is ready, and starts again any other component that exited meanwhile (the controller manager
 * and the scheduler exit when they cannot renew their leader Lease). Resolves when ready.
 */
export async function startComponent(name: RestartableComponent, log: Log = stderrLog): Promise<void> {
  const record = startDaemon(componentSpec(name), dirs);
  log(`Started ${name} again (pid ${record.pid})`);
  await waitUntil('kube-apiserver /readyz', () => apiserverReady().catch(() => false), {
    timeoutMs: readyTimeoutMs,
    stillAlive: () => assertDaemonsAlive(['etcd', 'kube-apiserver']),
  });
  for (const other of ['kube-controller-manager', 'kube-scheduler'] as const) {
    if (!isRunning(readPidRecord(pidDir, other))) {
      const restarted = startDaemon(componentSpec(other), dirs);
      log(`Started ${other} again (pid ${restarted.pid}): it had exited while ${name} was away`);
    }
  }
}

/**
 * Brings the local cluster up, or finds it already healthy. Resolves with the admin kubeconfig path.
 * Compiles Kubernetes first when the cache has no binaries for the pinned release.
 */
/**
 * Starts (or finds running) this checkout's cluster. One start at a time per machine: a second
 * `cluster:up` waits for the first, then finds the cluster running; a cluster of another checkout
 * on the fixed ports is refused with a message saying where it runs.
 */
export async function clusterUp(opts: ClusterUpOptions = {}): Promise<{ kubeconfig: string }> {
  const log = opts.log ?? stderrLog;
  return withLock(clusterLockPath, { what: 'another start of the local cluster to finish', log, timeoutMs: 90 * 60_000 }, () => startCluster(opts, log));
}

async function startCluster(opts: ClusterUpOptions, log: Log): Promise<{ kubeconfig: string }> {
  const node = opts.node;
  const taken = portsTakenMessage(stateDir, portsOwner());
  if (taken) throw new Error(taken);
  await ensureBinaries({ log });

  const healthy = allDaemonsRunning() && (await apiserverReady().catch(() => false));
  if (healthy) {
    log('Control plane already running');
  } else {
    if (controlPlaneDaemons.some((name) => isRunning(readPidRecord(pidDir, name)))) {
      log('Control plane partly running or unhealthy: restarting it (data kept)');
      await stopControlPlane(log);
    }
    try {
      await startControlPlane(log);
    } catch (error) {
      // Leave nothing half-started behind; the logs stay in .cluster/logs.
      await stopControlPlane(log);
      throw error;
    }
  }
  claimPorts(stateDir);
  if (node) await node.up(controlPlaneInfo(log));
  return { kubeconfig: kubeconfigPath };
}

/** Stops the control plane; with `everything`, first any other daemon recorded in .cluster/pids too. */
async function stopControlPlane(log: Log, everything = false): Promise<void> {
  // Other records belong to the node (registries, containerd, kubelet): only `down` stops them,
  // as a safety net for daemons its hooks did not stop.
  const known = new Set<string>(controlPlaneDaemons);
  const others = everything && existsSync(pidDir)
    ? readdirSync(pidDir).filter((f) => f.endsWith('.pid')).map((f) => f.slice(0, -'.pid'.length)).filter((n) => !known.has(n))
    : [];
  for (const name of [...others, ...[...controlPlaneDaemons].reverse()]) {
    if (await stopDaemon(pidDir, name)) log(`Stopped ${name}`);
  }
}

/** Mount points at or below `dir`, deepest first, from a /proc/self/mountinfo text. */
export function mountsBelow(mountinfo: string, dir: string): string[] {
  const unescape = (path: string) => path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map(unescape)
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts what is left at or below `dir`, deepest first; a busy mount is detached lazily. */
function unmountBelow(dir: string, log: Log): void {
  const current = () => mountsBelow(readFileSync('/proc/self/mountinfo', 'utf8'), dir);
  for (const point of current()) {
    // Stacked mounts list a point twice: unmount only while it is still mounted.
    if (!current().includes(point)) continue;
    try {
      execFileSync('umount', [point], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', ['--lazy', point], { stdio: 'ignore' });
    }
    log(`Unmounted ${point}`);
  }
}

/**
 * Stops the node (when its hooks are given), then the control plane, by recorded PID,
 * and unmounts anything left under .cluster. Data and certificates are kept unless `purge`.
 */
export async function clusterDown(opts: { log?: Log; purge?: boolean; node?: NodeHooks } = {}): Promise<void> {
  const log = opts.log ?? stderrLog;
  if (opts.node) await opts.node.down(controlPlaneInfo(log));
  await stopControlPlane(log, true);
  releasePorts(stateDir);
  unmountBelow(stateDir, log);
  if (opts.purge) {
    rmSync(stateDir, { recursive: true, force: true });
    log(`Removed ${stateDir}`);
  }
}
