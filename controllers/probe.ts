// Exec probe: `node controllers/probe.ts /readyz` exits 0 when the controller answers the path
// with HTTP 200, 1 otherwise. For Pods on the host network, whose port may only be chosen at
// start: it reads the port from IMAGESPEC_HTTP_PORT_FILE when set, else uses IMAGESPEC_HTTP_PORT,
// each taken from the environment, else the .env file, like the controller does. It runs every
// few seconds in every replica, so it reads just these two settings instead of loading (and
// validating) the whole configuration.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseEnv } from 'node:util';
import type { HttpConfig } from '../config/types.ts';
import { VARIABLES } from '../config/variables.ts';

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

const PROBE_TIMEOUT_MS = 3000;

async function boundPort(http: HttpConfig): Promise<number> {
  if (!http.portFile) {
    if (http.port === 0) throw new Error('IMAGESPEC_HTTP_PORT is 0 and IMAGESPEC_HTTP_PORT_FILE is not set: the port is unknown');
    return http.port;
  }
  const text = (await readFile(http.portFile, 'utf8')).trim();
  const port = Number(text);
  if (!/^[0-9]+$/.test(text) || port < 1 || port > 65535) throw new Error(`${http.portFile} does not hold a port: ${JSON.stringify(text.slice(0, 20))}`);
  return port;
}

export async function probe(path: string, http: HttpConfig, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  try {
    const port = await boundPort(http);
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.text()).trim().slice(0, 500);
    return { ok: response.status === 200, detail: `${response.status} ${body}` };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/** The two HTTP settings, as the controller resolves them: environment, then .env, then default. */
export function httpSettings(env: NodeJS.ProcessEnv, cwd: string): HttpConfig {
  const envFile = env.IMAGESPEC_ENV_FILE || (existsSync(`${cwd}/.env`) ? `${cwd}/.env` : undefined);
  const fromFile = envFile ? (parseEnv(readFileSync(envFile, 'utf8')) as Record<string, string | undefined>) : {};
  const value = (name: string) =>
    (env[name] || fromFile[name] || VARIABLES.find((variable) => variable.name === name)?.default || '').trim();
  const port = value('IMAGESPEC_HTTP_PORT');
  if (!/^[0-9]+$/.test(port)) throw new Error(`IMAGESPEC_HTTP_PORT is not a port: ${JSON.stringify(port.slice(0, 20))}`);
  return { port: Number(port), portFile: value('IMAGESPEC_HTTP_PORT_FILE') || undefined };
}

async function main(): Promise<number> {
  const path = process.argv[2] ?? '';
  if (!path.startsWith('/')) {
    process.stderr.write('usage: node controllers/probe.ts /healthz|/readyz|/metrics\n');
    return 1;
  }
  let http: HttpConfig;
  try {
    http = httpSettings(process.env, process.cwd());
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const result = await probe(path, http);
  (result.ok ? process.stdout : process.stderr).write(`${result.detail}\n`);
  return result.ok ? 0 : 1;
}

if (import.meta.main) {
  process.exitCode = await main();
}
