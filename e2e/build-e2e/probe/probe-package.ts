// The credential probe as a Python source distribution, and a PEP 503 "simple" package index on
// loopback that serves it, so a build's `pip install` runs the probe inside a RUN step.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const probeProject = 'imagespec-credential-probe';
const distName = 'imagespec_credential_probe';
const version = '1.0';
const backendSource = join(dirname(fileURLToPath(import.meta.url)), 'probe_backend.py');

export interface Secret {
  label: string;
  value: string;
}

/**
 * probe_secrets.py: each secret split in two string literals, so the probe's own files never
 * contain a secret it searches for.
 */
export function renderSecretsModule(secrets: Secret[]): string {
  const entries = secrets.map(({ label, value }) => {
    const half = Math.ceil(value.length / 2);
    return `    (${JSON.stringify(label)}, [${JSON.stringify(value.slice(0, half))}, ${JSON.stringify(value.slice(half))}]),`;
  });
  return `SECRETS = [\n${entries.join('\n')}\n]\n`;
}

export function renderPyproject(): string {
  return `[build-system]\nrequires = []\nbuild-backend = "probe_backend"\nbackend-path = ["."]\n\n[project]\nname = "${probeProject}"\nversion = "${version}"\n`;
}

/** Writes the probe's files into `dir` (also usable to run the probe directly with python3). */
export function writeProbeSources(dir: string, secrets: Secret[]): void {
  mkdirSync(dir, { recursive: true });
  copyFileSync(backendSource, join(dir, 'probe_backend.py'));
  writeFileSync(join(dir, 'probe_secrets.py'), renderSecretsModule(secrets));
  writeFileSync(join(dir, 'pyproject.toml'), renderPyproject());
  writeFileSync(join(dir, 'PKG-INFO'), `Metadata-Version: 2.1\nName: ${probeProject}\nVersion: ${version}\n`);
}

/** The sdist (tar.gz) bytes. */
export function buildSdist(secrets: Secret[]): { fileName: string; bytes: Buffer } {
  const work = mkdtempSync(join(tmpdir(), 'probe-sdist-'));
  try {
    const top = `${distName}-${version}`;
    writeProbeSources(join(work, top), secrets);
    const fileName = `${top}.tar.gz`;
    execFileSync('tar', ['-C', work, '--owner=0', '--group=0', '-czf', join(work, fileName), top]);
    return { fileName, bytes: readFileSync(join(work, fileName)) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function simpleIndexPage(fileName: string, sha256: string): string {
  return `<!DOCTYPE html><html><body><a href="/files/${fileName}#sha256=${sha256}">${fileName}</a></body></html>\n`;
}

export interface ProbeIndex {
  /** e.g. http://127.0.0.1:40123/simple/ */
  url: string;
  /** How many times the sdist was downloaded. */
  downloads(): number;
  close(): Promise<void>;
}

/** Serves the probe on 127.0.0.1 (an ephemeral port); other projects get 404 so pip uses PyPI. */
export async function startProbeIndex(secrets: Secret[]): Promise<ProbeIndex> {
  const sdist = buildSdist(secrets);
  const sha256 = createHash('sha256').update(sdist.bytes).digest('hex');
  let downloads = 0;
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path === `/simple/${probeProject}/`) {
      response.writeHead(200, { 'content-type': 'text/html' }).end(simpleIndexPage(sdist.fileName, sha256));
    } else if (path === `/files/${sdist.fileName}`) {
      downloads += 1;
      response.writeHead(200, { 'content-type': 'application/gzip' }).end(sdist.bytes);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/simple/`,
    downloads: () => downloads,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
