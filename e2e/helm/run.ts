// Runs the pinned Helm (built by ./build.ts) and collects its output, for tests and scripts.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { ensureHelm } from './build.ts';
import type { Log } from '../cluster/build.ts';

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HelmOptions {
  /** Added to the environment, e.g. { KUBECONFIG } for commands that reach a cluster. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  log?: Log;
}

/**
 * Helm's own state (repositories, registry logins, plugins, cache) beside the binary, so a run
 * never reads or changes the user's ~/.config/helm.
 */
export function isolatedHelmEnv(binary: string): NodeJS.ProcessEnv {
  const home = join(dirname(dirname(binary)), 'home');
  return {
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
}

/** `helm ARGS`; resolves with the exit code and both streams (a non-zero exit does not throw). */
export async function runHelm(args: string[], opts: HelmOptions = {}): Promise<HelmResult> {
  const binary = await ensureHelm({ log: opts.log });
  return new Promise((resolvePromise, reject) => {
    execFile(
      binary,
      args,
      { cwd: opts.cwd, env: { ...process.env, ...isolatedHelmEnv(binary), ...opts.env }, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`cannot run ${binary}: ${error.message}`));
          return;
        }
        resolvePromise({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}
