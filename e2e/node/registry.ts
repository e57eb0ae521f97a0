// The node's two registries, Debian's docker-registry on loopback, each with its own config:
// "push" (127.0.0.1:5000, htpasswd auth) receives built images; "base" (127.0.0.1:5001, no auth)
// serves the pause, builder and base images that nothing here could pull from the internet.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { waitUntil } from '../cluster/health.ts';
import { isRunning, logTail, readPidRecord, startDaemon, stopDaemon } from '../cluster/processes.ts';
import { logDir, pidDir, registriesDir } from './paths.ts';

export interface RegistrySpec {
  /** Daemon name: pid file, log file and state directory. */
  name: 'registry-push' | 'registry-base';
  address: string;
  auth: boolean;
}

export const pushRegistry: RegistrySpec = { name: 'registry-push', address: '127.0.0.1:5000', auth: true };
export const baseRegistry: RegistrySpec = { name: 'registry-base', address: '127.0.0.1:5001', auth: false };
export const registries = [pushRegistry, baseRegistry] as const;

export interface RegistryCredentials {
  username: string;
  password: string;
}

/** A fixed user; the password is generated once per .cluster so no real secret is ever shared. */
export const pushUsername = 'imagespec-e2e';

export function registryDir(spec: RegistrySpec): string {
  return join(registriesDir, spec.name);
}

const htpasswdPath = (spec: RegistrySpec) => join(registryDir(spec), 'htpasswd');
const configPath = (spec: RegistrySpec) => join(registryDir(spec), 'config.yml');
const credentialsPath = join(registriesDir, 'push-credentials.json');

/** distribution's configuration: loopback only, filesystem storage, deletes allowed for cleanup. */
export function renderRegistryConfig(spec: RegistrySpec, dir: string): string {
  return dump({
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: join(dir, 'data') }, delete: { enabled: true } },
    http: { addr: spec.address },
    ...(spec.auth ? { auth: { htpasswd: { realm: 'imagespec-e2e', path: join(dir, 'htpasswd') } } } : {}),
  });
}

/** The push registry's credentials, created on first use and kept (owner-readable only). */
export function pushCredentials(): RegistryCredentials {
  if (existsSync(credentialsPath)) return JSON.parse(readFileSync(credentialsPath, 'utf8')) as RegistryCredentials;
  mkdirSync(registriesDir, { recursive: true });
  const credentials = { username: pushUsername, password: randomBytes(18).toString('base64url') };
  writeFileSync(credentialsPath, `${JSON.stringify(credentials)}\n`, { mode: 0o600 });
  return credentials;
}

function writeHtpasswd(path: string, credentials: RegistryCredentials): void {
  // -i reads the password from stdin, so it never appears in a process listing.
  const line = execFileSync('htpasswd', ['-niB', credentials.username], { input: `${credentials.password}\n`, encoding: 'utf8' });
  writeFileSync(path, line, { mode: 0o600 });
}

/** GET /v2/: 200 without auth, 401 with; either means the registry serves. */
async function serving(spec: RegistrySpec): Promise<boolean> {
  const response = await fetch(`http://${spec.address}/v2/`);
  return response.status === (spec.auth ? 401 : 200);
}

/** Starts the registry unless it already runs and answers. */
export async function startRegistry(spec: RegistrySpec, log: (line: string) => void): Promise<void> {
  if (isRunning(readPidRecord(pidDir, spec.name)) && (await serving(spec).catch(() => false))) return;
  await stopDaemon(pidDir, spec.name);
  const dir = registryDir(spec);
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(configPath(spec), renderRegistryConfig(spec, dir));
  if (spec.auth) writeHtpasswd(htpasswdPath(spec), pushCredentials());
  const record = startDaemon({ name: spec.name, command: 'docker-registry', args: ['serve', configPath(spec)] }, { pidDir, logDir });
  await waitUntil(`${spec.name} on ${spec.address}`, () => serving(spec), {
    timeoutMs: 20_000,
    stillAlive: () => {
      if (!isRunning(record)) throw new Error(`${spec.name} exited:\n${logTail(logDir, spec.name)}`);
    },
  });
  log(`Started ${spec.name} (pid ${record.pid}) on ${spec.address}${spec.auth ? ' with htpasswd auth' : ''}`);
}

export async function stopRegistry(spec: RegistrySpec, log: (line: string) => void): Promise<void> {
  if (await stopDaemon(pidDir, spec.name)) log(`Stopped ${spec.name}`);
}
