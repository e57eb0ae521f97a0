// Daemons started in the background, recorded by PID, stopped by PID.
// Each runs in its own session (detached), so Ctrl-C on `npm run` leaves it alone
// and stopping it can signal its whole process group.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DaemonSpec {
  /** Pid file <pidDir>/<name>.pid and log <logDir>/<name>.log */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface PidRecord {
  pid: number;
  /** argv[0] basename when started: guards against a recycled PID. */
  command: string;
}

export function pidFile(pidDir: string, name: string): string {
  return join(pidDir, `${name}.pid`);
}

export function parsePidRecord(text: string): PidRecord | undefined {
  const [pidText, command] = text.trim().split(/\s+/, 2);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 1 || !command) return undefined;
  return { pid, command };
}

export function readPidRecord(pidDir: string, name: string): PidRecord | undefined {
  const file = pidFile(pidDir, name);
  return existsSync(file) ? parsePidRecord(readFileSync(file, 'utf8')) : undefined;
}

/** True when the PID is alive and still runs the command it was started as. */
export function isRunning(record: PidRecord | undefined): boolean {
  if (!record) return false;
  try {
    const argv0 = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    const stat = readFileSync(`/proc/${record.pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && basename(argv0) === record.command;
  } catch {
    return false;
  }
}

export function startDaemon(spec: DaemonSpec, dirs: { pidDir: string; logDir: string }): PidRecord {
  mkdirSync(dirs.pidDir, { recursive: true });
  mkdirSync(dirs.logDir, { recursive: true });
  const log = openSync(join(dirs.logDir, `${spec.name}.log`), 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: spec.env ?? process.env,
      cwd: spec.cwd,
    });
    if (child.pid === undefined) throw new Error(`cannot start ${spec.command}`);
    child.unref();
    const record = { pid: child.pid, command: basename(spec.command) };
    writeFileSync(pidFile(dirs.pidDir, spec.name), `${record.pid} ${record.command}\n`);
    return record;
  } finally {
    closeSync(log);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** TERM, wait up to `graceMs`, then KILL; removes the pid file. */
export async function stopDaemon(pidDir: string, name: string, graceMs = 10_000): Promise<boolean> {
  const record = readPidRecord(pidDir, name);
  let stopped = false;
  if (record && isRunning(record)) {
    signalGroup(record.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isRunning(record) && Date.now() < deadline) await sleep(100);
    if (isRunning(record)) {
      signalGroup(record.pid, 'SIGKILL');
      while (isRunning(record)) await sleep(50);
    }
    stopped = true;
  }
  rmSync(pidFile(pidDir, name), { force: true });
  return stopped;
}

/** The last lines of a daemon's log, for error messages. */
export function logTail(logDir: string, name: string, lines = 25): string {
  const file = join(logDir, `${name}.log`);
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
