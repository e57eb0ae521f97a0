// Runs a command to completion without blocking the event loop; its output goes to a log file
// (or is returned), and a failure carries the command's last lines.
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RunOptions {
  /** Append stdout and stderr here instead of capturing them. */
  logFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
}

function lastLines(text: string, count = 30): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

/** Resolves with stdout (empty when logging to a file); rejects on a non-zero exit. */
export function run(command: string, args: string[], opts: RunOptions = {}): Promise<string> {
  let logFd: number | undefined;
  if (opts.logFile) {
    mkdirSync(dirname(opts.logFile), { recursive: true });
    appendFileSync(opts.logFile, `$ ${command} ${args.join(' ')}\n`);
    logFd = openSync(opts.logFile, 'a');
  }
  return new Promise<string>((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', logFd ?? 'pipe', logFd ?? 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    child.on('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (logFd !== undefined) closeSync(logFd);
      if (code === 0) return resolvePromise(stdout);
      const output = opts.logFile ? readFileSync(opts.logFile, 'utf8') : `${stdout}\n${stderr}`;
      reject(new Error(`${command} ${args.slice(0, 3).join(' ')} ... failed (${signal ?? `exit ${code}`}):\n${lastLines(output)}`));
    });
  });
}
