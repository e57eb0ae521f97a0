// What the kubelet and containerd leave outside .cluster, removed when the node stops:
// - /var/log/containers: the kubelet links each container's log there (a fixed path);
// - /run/containerd/s: containerd's shims put their sockets there (a fixed path);
// - kubepods cgroups: the kubelet's pod cgroups under each cgroup hierarchy.
// Directories are only removed when the node created them and they are empty.
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { nodeDir } from './paths.ts';

export const hostDirs = ['/var/log/containers', '/run/containerd/s', '/run/containerd'] as const;
const recordPath = join(nodeDir, 'created-host-dirs.json');

/** Remembers which of the fixed host directories do not exist yet, before the daemons start. */
export function recordMissingHostDirs(): void {
  mkdirSync(dirname(recordPath), { recursive: true });
  const previous: string[] = existsSync(recordPath) ? (JSON.parse(readFileSync(recordPath, 'utf8')) as string[]) : [];
  const missing = hostDirs.filter((dir) => !existsSync(dir));
  writeFileSync(recordPath, `${JSON.stringify([...new Set([...previous, ...missing])])}\n`);
}

/** Removes the kubelet's log links that point into `podLogsDir`. */
export function removeContainerLogLinks(podLogsDir: string, dir = '/var/log/containers'): number {
  if (!existsSync(dir)) return 0;
  let removed = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (lstatSync(path).isSymbolicLink() && readlinkSync(path).startsWith(`${podLogsDir}/`)) {
      unlinkSync(path);
      removed += 1;
    }
  }
  return removed;
}

function removeIfEmpty(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

/** Removes the recorded host directories that are now empty (deepest first). */
export function removeCreatedHostDirs(): string[] {
  if (!existsSync(recordPath)) return [];
  const recorded = JSON.parse(readFileSync(recordPath, 'utf8')) as string[];
  const removed = [...recorded].sort((a, b) => b.length - a.length).filter((dir) => existsSync(dir) && removeIfEmpty(dir));
  const kept = recorded.filter((dir) => existsSync(dir));
  writeFileSync(recordPath, `${JSON.stringify(kept)}\n`);
  return removed;
}

/** Every directory below `root`, deepest first. */
export function directoriesBelow(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
    }
    found.push(dir);
  };
  if (existsSync(root)) walk(root);
  return found.sort((a, b) => b.split('/').length - a.split('/').length);
}

/**
 * Removes the kubelet's `kubepods` cgroup trees once no process is left in them (a cgroup
 * directory with processes cannot be removed, so a busy one is simply kept). Returns how many
 * hierarchies still hold one.
 */
export function removeKubepodsCgroups(cgroupRoot = '/sys/fs/cgroup'): number {
  if (!existsSync(cgroupRoot)) return 0;
  const hierarchies = readdirSync(cgroupRoot).map((name) => join(cgroupRoot, name));
  let left = 0;
  for (const hierarchy of [cgroupRoot, ...hierarchies]) {
    const kubepods = join(hierarchy, 'kubepods');
    if (!existsSync(kubepods)) continue;
    for (const dir of directoriesBelow(kubepods)) removeIfEmpty(dir);
    if (existsSync(kubepods)) left += 1;
  }
  return left;
}
