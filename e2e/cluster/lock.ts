// Exclusive file locks between processes of this machine: two `cluster:up` at once (a user running
// the demo while the tests start) would otherwise compile into the same file and start two control
// planes on the same fixed ports. The lock is a file created with O_EXCL holding the owner's pid; a
// lock whose owner is gone is taken over.
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface LockOptions {
  /** What the lock protects, for the waiting message ("the local cluster's start"). */
  what: string;
  log: (line: string) => void;
  /** How long to wait for another holder before giving up. */
  timeoutMs: number;
  pollMs?: number;
}

export type Release = () => void;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid written in the lock file; undefined when unreadable (being written, or gone). */
export function lockHolder(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function tryCreate(path: string): boolean {
  try {
    const fd = openSync(path, 'wx', 0o644);
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Waits until the lock is this process's; the returned function releases it. */
export async function acquireLock(path: string, options: LockOptions): Promise<Release> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + options.timeoutMs;
  let announced: number | undefined;
  let unreadableSince: number | undefined;
  for (;;) {
    if (tryCreate(path)) break;
    const holder = lockHolder(path);
    if (holder === process.pid) throw new Error(`${path} is already held by this process`);
    // A holder that died, or a file its writer never finished (after a grace period), is stale.
    const stale = holder !== undefined ? !processAlive(holder) : Date.now() - (unreadableSince ??= Date.now()) > 2_000;
    if (stale) {
      rmSync(path, { force: true });
      continue;
    }
    if (holder !== undefined) unreadableSince = undefined;
    if (holder !== undefined && announced !== holder) {
      options.log(`Waiting for ${options.what}: another process (pid ${holder}) holds ${path}`);
      announced = holder;
    }
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${options.what} after ${Math.round(options.timeoutMs / 1000)} s: pid ${holder ?? '?'} holds ${path}`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (lockHolder(path) === process.pid) rmSync(path, { force: true });
  };
}

/** Runs `fn` holding the lock. */
export async function withLock<T>(path: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const release = await acquireLock(path, options);
  try {
    return await fn();
  } finally {
    release();
  }
}
