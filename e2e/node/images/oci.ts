// Writes an OCI image layout (image-spec v1) from a root filesystem tarball, without any
// container engine: gzip the tar into a layer blob, describe it in a config and a manifest.
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, createWriteStream, linkSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ImageConfig } from './recipes.ts';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export const mediaTypes = {
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  config: 'application/vnd.oci.image.config.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
} as const;

export interface LayerDigests {
  /** sha256 of the uncompressed tar: the config's rootfs.diff_ids entry. */
  diffId: string;
  /** Descriptor of the gzipped blob. */
  blob: Descriptor;
}

/** The image config JSON: architecture, os, runtime config, one layer per diff id. */
export function imageConfigJson(config: ImageConfig, diffIds: string[], created: string): string {
  return JSON.stringify({
    created,
    architecture: 'amd64',
    os: 'linux',
    config,
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map(() => ({ created, created_by: 'imagespec-controller e2e/node/images' })),
  });
}

export function manifestJson(config: Descriptor, layers: Descriptor[]): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.manifest, config, layers });
}

/** index.json naming the manifest with the tag `ref` (skopeo's `oci:DIR:ref`). */
export function indexJson(manifest: Descriptor, ref: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: mediaTypes.index,
    manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': ref } }],
  });
}

export function sha256(data: string | Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function blobPath(layoutDir: string, digest: string): string {
  return join(layoutDir, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

function writeBlob(layoutDir: string, mediaType: string, content: string): Descriptor {
  const digest = sha256(content);
  writeFileSync(blobPath(layoutDir, digest), content);
  return { mediaType, digest, size: Buffer.byteLength(content) };
}

/** A pass-through stream that hashes and counts what flows through it. */
function hashingTap(): { tap: Transform; result: () => { digest: string; size: number } } {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  return { tap, result: () => ({ digest: `sha256:${hash.digest('hex')}`, size }) };
}

/** Gzips a tar into the layout's blobs, hashing both sides in one pass. */
async function addLayer(layoutDir: string, tarPath: string): Promise<LayerDigests> {
  const uncompressed = hashingTap();
  const compressed = hashingTap();
  const partial = join(layoutDir, 'layer.partial');
  // Level 1: the layer is compressed once and cached; speed matters more than a few MB.
  await pipeline(createReadStream(tarPath), uncompressed.tap, createGzip({ level: 1 }), compressed.tap, createWriteStream(partial));
  const blob = compressed.result();
  renameSync(partial, blobPath(layoutDir, blob.digest));
  return { diffId: uncompressed.result().digest, blob: { mediaType: mediaTypes.layer, ...blob } };
}

export interface LayoutImage {
  manifest: { config: Descriptor; layers: Descriptor[] };
  /** The config's rootfs.diff_ids, one per layer. */
  diffIds: string[];
}

/** The image a single-image layout holds (index.json's first manifest). */
export function readLayoutImage(layoutDir: string): LayoutImage {
  const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const index = readJson(join(layoutDir, 'index.json')) as { manifests: Descriptor[] };
  const manifest = readJson(blobPath(layoutDir, index.manifests[0]!.digest)) as LayoutImage['manifest'];
  const config = readJson(blobPath(layoutDir, manifest.config.digest)) as { rootfs: { diff_ids: string[] } };
  return { manifest, diffIds: config.rootfs.diff_ids };
}

/** A base image's layers in a new layout: hard links to the cached blobs (a copy across filesystems). */
function baseLayers(baseLayoutDir: string, layoutDir: string): LayerDigests[] {
  const base = readLayoutImage(baseLayoutDir);
  return base.manifest.layers.map((blob, i) => {
    const from = blobPath(baseLayoutDir, blob.digest);
    const to = blobPath(layoutDir, blob.digest);
    try {
      linkSync(from, to);
    } catch {
      copyFileSync(from, to);
    }
    return { diffId: base.diffIds[i]!, blob };
  });
}

/**
 * Writes a complete OCI layout into `layoutDir` (which must be empty): the layers of the image in
 * `baseLayoutDir`, if given, then one layer from `layerTar`. Returns the manifest descriptor; its
 * digest is what a registry reports after a push.
 */
export async function writeOciLayout(opts: { layoutDir: string; layerTar: string; config: ImageConfig; ref: string; created?: string; baseLayoutDir?: string }): Promise<Descriptor> {
  const { layoutDir } = opts;
  mkdirSync(join(layoutDir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(layoutDir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const layers = [...(opts.baseLayoutDir ? baseLayers(opts.baseLayoutDir, layoutDir) : []), await addLayer(layoutDir, opts.layerTar)];
  const created = opts.created ?? new Date().toISOString();
  const config = writeBlob(layoutDir, mediaTypes.config, imageConfigJson(opts.config, layers.map((layer) => layer.diffId), created));
  const manifest = writeBlob(layoutDir, mediaTypes.manifest, manifestJson(config, layers.map((layer) => layer.blob)));
  writeFileSync(join(layoutDir, 'index.json'), indexJson(manifest, opts.ref));
  return manifest;
}
