// Debian's containerd (1.6) as the node's CRI runtime, with its own config, root, state and
// socket under .cluster/node/containerd so it never meets a containerd the machine may run.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '../cluster/health.ts';
import { isRunning, logTail, readPidRecord, startDaemon, stopDaemon } from '../cluster/processes.ts';
import { cniBinDir, cniConfDir, containerdConfigPath, containerdDir, containerdHostsDir, containerdSocket, logDir, pidDir } from './paths.ts';
import { run } from './run.ts';

export const containerdDaemon = 'containerd';

export interface ContainerdLayout {
  dir: string;
  socket: string;
  hostsDir: string;
  cniBinDir: string;
  cniConfDir: string;
}

export const containerdLayout: ContainerdLayout = {
  dir: containerdDir,
  socket: containerdSocket,
  hostsDir: containerdHostsDir,
  cniBinDir,
  cniConfDir,
};

const q = (value: string) => JSON.stringify(value); // a TOML basic string

/**
 * config.toml (version 2). runc as the only runtime (crun fails on this machine's hybrid
 * cgroups), cgroupfs like the kubelet, no AppArmor (the kernel has none), network namespaces
 * under the state directory instead of /var/run/netns, runc's state beside them instead of
 * /run/containerd/runc, registries configured per host in hostsDir.
 * restrict_oom_score_adj: root here lacks CAP_SYS_RESOURCE, so runc cannot lower a container's
 * oom_score_adj below containerd's own (the kubelet asks -998 for sandboxes); without it every
 * sandbox fails with "runc create failed: ... can't get final child's PID from pipe: EOF".
 */
export function renderContainerdConfig(layout: ContainerdLayout, sandboxImage: string): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = ${q(join(layout.dir, 'root'))}
state = ${q(join(layout.dir, 'state'))}
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${q(layout.socket)}

[ttrpc]
  address = ${q(`${layout.socket}.ttrpc`)}

[debug]
  address = ""
  level = "info"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(layout.dir, 'opt'))}

[${cri}]
  sandbox_image = ${q(sandboxImage)}
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  netns_mounts_under_state_dir = true
  tolerate_missing_hugetlb_controller = true
  restrict_oom_score_adj = true

[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[${cri}.containerd.runtimes.runc.options]
  BinaryName = "runc"
  Root = ${q(join(layout.dir, 'runc'))}
  SystemdCgroup = false

[${cri}.cni]
  bin_dir = ${q(layout.cniBinDir)}
  conf_dir = ${q(layout.cniConfDir)}
  max_conf_num = 1

[${cri}.registry]
  config_path = ${q(layout.hostsDir)}
`;
}

/** hosts.toml for a registry reached over plain HTTP (containerd's certs.d format). */
export function renderPlainHttpHosts(address: string): string {
  return `server = ${q(`http://${address}`)}

[host.${q(`http://${address}`)}]
  capabilities = ["pull", "resolve"]
`;
}

/** Writes config.toml and one hosts.toml per plain-HTTP registry. */
export function writeContainerdConfig(sandboxImage: string, plainHttpRegistries: string[]): void {
  for (const dir of [containerdDir, containerdHostsDir]) mkdirSync(dir, { recursive: true });
  writeFileSync(containerdConfigPath, renderContainerdConfig(containerdLayout, sandboxImage));
  for (const address of plainHttpRegistries) {
    mkdirSync(join(containerdHostsDir, address), { recursive: true });
    writeFileSync(join(containerdHostsDir, address, 'hosts.toml'), renderPlainHttpHosts(address));
  }
}

/** `ctr` against the node's containerd. */
export function ctr(args: string[]): Promise<string> {
  return run('ctr', ['--address', containerdSocket, ...args]);
}

async function answering(): Promise<boolean> {
  if (!existsSync(containerdSocket)) return false;
  return ctr(['version']).then(
    () => true,
    () => false,
  );
}

/**
 * Starts containerd with a freshly written config (a changed sandbox image needs a restart,
 * so a running containerd is restarted when its config differs).
 */
export async function startContainerd(opts: { restart: boolean }, log: (line: string) => void): Promise<void> {
  const record = readPidRecord(pidDir, containerdDaemon);
  if (isRunning(record) && !opts.restart && (await answering())) return;
  await stopDaemon(pidDir, containerdDaemon);
  const started = startDaemon({ name: containerdDaemon, command: 'containerd', args: ['--config', containerdConfigPath] }, { pidDir, logDir });
  await waitUntil('containerd socket', answering, {
    timeoutMs: 30_000,
    stillAlive: () => {
      if (!isRunning(started)) throw new Error(`containerd exited:\n${logTail(logDir, containerdDaemon)}`);
    },
  });
  log(`Started containerd (pid ${started.pid}) on ${containerdSocket}`);
}

/**
 * Kills every container the node runs, then stops containerd. Containers outlive containerd
 * (each has its own shim), so they are killed first through containerd itself.
 */
export async function stopContainerd(log: (line: string) => void): Promise<void> {
  if (isRunning(readPidRecord(pidDir, containerdDaemon)) && (await answering())) {
    const namespaces = (await ctr(['namespaces', 'list', '-q'])).split('\n').filter(Boolean);
    for (const namespace of namespaces) {
      const tasks = (await ctr(['-n', namespace, 'tasks', 'list', '-q'])).split('\n').filter(Boolean);
      for (const task of tasks) {
        await ctr(['-n', namespace, 'tasks', 'kill', '--all', '--signal', 'SIGKILL', task]).catch(() => undefined);
      }
      for (const task of tasks) {
        await waitUntil(`task ${task} to stop`, async () => !(await ctr(['-n', namespace, 'tasks', 'list', '-q'])).includes(task) || (await deleteTask(namespace, task)), { timeoutMs: 15_000 }).catch(() => undefined);
      }
      if (tasks.length > 0) log(`Killed ${tasks.length} container(s) in containerd namespace ${namespace}`);
    }
  }
  if (await stopDaemon(pidDir, containerdDaemon)) log('Stopped containerd');
}

/** `ctr tasks delete` succeeds only once the task has stopped. */
async function deleteTask(namespace: string, task: string): Promise<boolean> {
  return ctr(['-n', namespace, 'tasks', 'delete', task]).then(
    () => true,
    () => false,
  );
}
