// The local cluster's fixed ports belong to the whole machine, not to one checkout: which
// checkout's cluster holds them, and the lock every `cluster:up` takes while it starts one.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRunning, readPidRecord } from './processes.ts';

export const machineDir = join(tmpdir(), 'imagespec-controller');
export const clusterLockPath = join(machineDir, 'cluster-up.lock');
const ownerPath = join(machineDir, 'cluster-owner');

/** The .cluster directory whose cluster last claimed the ports, if any. */
export function portsOwner(): string | undefined {
  return existsSync(ownerPath) ? readFileSync(ownerPath, 'utf8').trim() || undefined : undefined;
}

export function claimPorts(stateDir: string): void {
  mkdirSync(machineDir, { recursive: true });
  writeFileSync(ownerPath, `${stateDir}\n`);
}

export function releasePorts(stateDir: string): void {
  if (portsOwner() === stateDir) rmSync(ownerPath, { force: true });
}

/** True while the API server started from that .cluster directory runs. */
export function clusterRunsIn(stateDir: string): boolean {
  return isRunning(readPidRecord(join(stateDir, 'pids'), 'kube-apiserver'));
}

/** Why this checkout cannot start its cluster now, or undefined when it can. */
export function portsTakenMessage(stateDir: string, owner: string | undefined, running: (stateDir: string) => boolean = clusterRunsIn): string | undefined {
  if (!owner || owner === stateDir || !running(owner)) return undefined;
  const checkout = owner.replace(/\/\.cluster$/, '');
  return (
    `Another checkout's local cluster is running on this machine's fixed ports (API server 6443, etcd 2379, ` +
    `registries 5000 and 5001): ${checkout}. Only one can run at a time: stop it with \`npm run cluster:down\` ` +
    `in ${checkout}, or use that checkout.`
  );
}
