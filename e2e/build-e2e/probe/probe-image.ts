// A base image for the credential probe: the python base with pip pointed at the probe's index
// (as an extra index, so anything else still comes from PyPI). Derived from the cached OCI layout
// by rewriting only its config; the layer is shared, so the push is quick.
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureImage } from '../../node/images/build.ts';
import { indexJson, manifestJson, mediaTypes, sha256, type Descriptor } from '../../node/images/oci.ts';
import { pythonRecipe } from '../../node/images/recipes.ts';
import { baseRegistry } from '../../node/registry.ts';
import { run } from '../../node/run.ts';

interface Manifest {
  config: Descriptor;
  layers: Descriptor[];
}

const blob = (layout: string, digest: string) => join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));

function linkOrCopy(from: string, to: string): void {
  if (existsSync(to)) return;
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** Adds `env` (NAME=value) to an image config JSON, replacing variables of the same name. */
export function withEnv(configJson: string, env: string[]): string {
  const config = JSON.parse(configJson) as { config?: { Env?: string[] } };
  const names = new Set(env.map((entry) => entry.split('=')[0]));
  const kept = (config.config?.Env ?? []).filter((entry) => !names.has(entry.split('=')[0]));
  return JSON.stringify({ ...config, config: { ...config.config, Env: [...kept, ...env] } });
}

/** Pushes `127.0.0.1:5001/base/python-probe:<tag>` and returns its reference. */
export async function pushProbeBaseImage(indexUrl: string, tag: string): Promise<string> {
  const python = await ensureImage(pythonRecipe, () => {});
  const source = python.layoutDir;
  const index = JSON.parse(readFileSync(join(source, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const manifest = JSON.parse(readFileSync(blob(source, index.manifests[0]!.digest), 'utf8')) as Manifest;
  const host = new URL(indexUrl).hostname;
  const configJson = withEnv(readFileSync(blob(source, manifest.config.digest), 'utf8'), [
    `PIP_EXTRA_INDEX_URL=${indexUrl}`,
    `PIP_TRUSTED_HOST=${host}`,
  ]);

  const layout = mkdtempSync(join(tmpdir(), 'probe-image-'));
  try {
    mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    for (const layer of manifest.layers) linkOrCopy(blob(source, layer.digest), blob(layout, layer.digest));
    const config: Descriptor = { mediaType: mediaTypes.config, digest: sha256(configJson), size: Buffer.byteLength(configJson) };
    writeFileSync(blob(layout, config.digest), configJson);
    const manifestText = manifestJson(config, manifest.layers);
    const manifestDescriptor: Descriptor = { mediaType: mediaTypes.manifest, digest: sha256(manifestText), size: Buffer.byteLength(manifestText) };
    writeFileSync(blob(layout, manifestDescriptor.digest), manifestText);
    writeFileSync(join(layout, 'index.json'), indexJson(manifestDescriptor, tag));
    const ref = `${baseRegistry.address}/base/python-probe:${tag}`;
    await run('skopeo', ['copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false', `oci:${layout}:${tag}`, `docker://${ref}`]);
    return ref;
  } finally {
    rmSync(layout, { recursive: true, force: true });
  }
}
