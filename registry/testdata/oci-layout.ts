// OCI image layouts for tests, written in Node: one gzip'd tar layer, its config, an OCI image
// manifest, index.json and oci-layout; and the layout streamed as the build Pod sends it, by
// the system tar (`tar -C <layout> -cf - <paths>`).
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export interface TestLayout {
  dir: string;
  manifestDigest: string;
  /** Every blob's digest. */
  blobs: string[];
  /** The sum of the blob sizes. */
  blobBytes: number;
  remove(): void;
}

export interface LayoutChanges {
  /** Writes the layer's file under its digest's name but with other content. */
  corruptLayer?: boolean;
  withoutIndex?: boolean;
}

/** A one-layer image whose layer holds a file of random bytes (so every layout is new). */
export function writeLayout(changes: LayoutChanges = {}): TestLayout {
  const dir = mkdtempSync(join(tmpdir(), 'imagespec-layout-'));
  const rootfs = join(dir, 'rootfs');
  mkdirSync(rootfs);
  writeFileSync(join(rootfs, 'data.bin'), randomBytes(300_000));
  const layerTar = execFileSync('tar', ['-C', rootfs, '-cf', '-', 'data.bin'], { maxBuffer: 16 * 1024 * 1024 });
  rmSync(rootfs, { recursive: true });
  const layer = gzipSync(layerTar);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [`sha256:${hex(layerTar)}`] } }));
  const descriptor = (mediaType: string, bytes: Buffer) => ({ mediaType, digest: `sha256:${hex(bytes)}`, size: bytes.length });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: descriptor('application/vnd.oci.image.config.v1+json', config),
      layers: [descriptor('application/vnd.oci.image.layer.v1.tar+gzip', layer)],
    }),
  );
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const blob of [layer, config, manifest]) {
    const content = changes.corruptLayer && blob === layer ? gzipSync(randomBytes(1000)) : blob;
    writeFileSync(join(dir, 'blobs', 'sha256', hex(blob)), content);
  }
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  if (!changes.withoutIndex) writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [descriptor(OCI_MANIFEST, manifest)] }));
  return {
    dir,
    manifestDigest: `sha256:${hex(manifest)}`,
    blobs: [layer, config, manifest].map((blob) => `sha256:${hex(blob)}`),
    blobBytes: layer.length + config.length + manifest.length,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface TarStream {
  stdout: Readable;
  /** Ends tar if the reader stopped early, and resolves once it has exited. */
  close(): Promise<void>;
}

/** The layout as GNU tar streams it; `paths` sets the order of the entries ('.' is readdir order). */
export function tarLayout(dir: string, paths: readonly string[] = ['.']): TarStream {
  const child: ChildProcessByStdio<null, Readable, null> = spawn('tar', ['-C', dir, '-cf', '-', ...paths], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    stdout: child.stdout,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
