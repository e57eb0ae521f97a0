// Mounts the node's daemons leave behind (kubelet volume mounts, containerd's rootfs and shm
// mounts, debootstrap's /proc) must go before their directories are removed or the node stops.
import { readFileSync } from 'node:fs';
import { mountsBelow } from '../cluster/cluster.ts';
import { run } from './run.ts';

/** Unmounts everything at or below `dir`, deepest first; returns what it unmounted. */
export async function unmountBelow(dir: string, log: (line: string) => void = () => {}): Promise<string[]> {
  const current = () => mountsBelow(readFileSync('/proc/self/mountinfo', 'utf8'), dir);
  const points = current();
  // A point may be listed twice (stacked mounts), so each is unmounted while it is still mounted.
  for (const point of points) {
    if (!current().includes(point)) continue;
    try {
      await run('umount', [point]);
    } catch {
      // Still busy (a process inside is exiting): detach it now, the kernel frees it when idle.
      await run('umount', ['--lazy', point]);
    }
    log(`Unmounted ${point}`);
  }
  return points;
}
