// containerd's shims (one per pod) are detached from containerd and survive it. Normally they
// exit once containerd has deleted their tasks; any still running for the node's containerd
// (recognised by the socket path on their command line) are killed when the node stops.
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { containerdSocket } from './paths.ts';

/** True for a containerd shim command line (NUL-separated argv) serving `socket`. */
export function isShimOf(cmdline: string, socket: string): boolean {
  const argv = cmdline.split('\0');
  return (argv[0] ?? '').includes('containerd-shim') && argv.includes(socket);
}

function shimPids(socket: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (isShimOf(readFileSync(`/proc/${entry}/cmdline`, 'utf8'), socket)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Kills the node's remaining shims by PID; resolves with how many there were. */
export async function killOrphanShims(socket = containerdSocket): Promise<number> {
  const pids = shimPids(socket);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (let i = 0; i < 50 && shimPids(socket).length > 0; i += 1) await sleep(100);
  return pids.length;
}
