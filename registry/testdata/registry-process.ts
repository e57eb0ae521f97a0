// A real registry for tests: Debian's docker-registry (distribution 2.8) on a free loopback port
// it picks itself, with filesystem storage in a temporary directory, and the auth and TLS the test
// asks for.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';

export interface TokenAuth {
  realm: string;
  service: string;
  issuer: string;
  /** PEM file of the certificate the token service signs with. */
  rootCertBundle: string;
}

export type TestRegistryAuth = { htpasswd: { username: string; password: string } } | { token: TokenAuth } | undefined;

export interface TestRegistry {
  /** 127.0.0.1:<port> */
  address: string;
  stop(): Promise<void>;
}

const STARTUP_MS = 20_000;

function authConfig(auth: TestRegistryAuth, dir: string): object {
  if (!auth) return {};
  if ('token' in auth) {
    const { realm, service, issuer, rootCertBundle } = auth.token;
    return { auth: { token: { realm, service, issuer, rootcertbundle: rootCertBundle } } };
  }
  // -i reads the password from stdin, so it never appears in a process listing.
  const line = execFileSync('htpasswd', ['-niB', auth.htpasswd.username], { input: `${auth.htpasswd.password}\n`, encoding: 'utf8' });
  writeFileSync(join(dir, 'htpasswd'), line, { mode: 0o600 });
  return { auth: { htpasswd: { realm: 'imagespec-test', path: join(dir, 'htpasswd') } } };
}

/** Starts the registry and resolves once it says where it listens; over HTTPS with `tls`. */
export async function startTestRegistry(auth: TestRegistryAuth, tls?: { certFile: string; keyFile: string }): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'imagespec-registry-'));
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    dump({
      version: 0.1,
      log: { level: 'info', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: join(dir, 'data') } },
      http: { addr: '127.0.0.1:0', secret: 'imagespec-test', ...(tls ? { tls: { certificate: tls.certFile, key: tls.keyFile } } : {}) },
      ...authConfig(auth, dir),
    }),
  );
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  let log = '';
  try {
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`docker-registry did not start within ${STARTUP_MS} ms:\n${log}`)), STARTUP_MS);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        log = (log + text).slice(-20_000);
        const listening = /msg="listening on (127\.0\.0\.1:\d+)(?:, tls)?"/.exec(log);
        if (listening) {
          clearTimeout(timer);
          resolve(listening[1]!);
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`docker-registry exited with ${code}:\n${log}`));
      });
    });
    return { address, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
