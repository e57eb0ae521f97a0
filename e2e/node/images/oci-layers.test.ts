import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { blobPath, readLayoutImage, writeOciLayout } from './oci.ts';

test('an image written on a base layout carries the base layers first, then its own', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oci-layers-'));
  try {
    writeFileSync(join(dir, 'base.tar'), 'base layer bytes');
    writeFileSync(join(dir, 'app.tar'), 'app layer bytes');
    const baseLayoutDir = join(dir, 'base');
    await writeOciLayout({ layoutDir: baseLayoutDir, layerTar: join(dir, 'base.tar'), config: {}, ref: 'base' });
    const layoutDir = join(dir, 'app');
    const manifest = await writeOciLayout({ layoutDir, layerTar: join(dir, 'app.tar'), config: { User: '65532:65532' }, ref: 'app', baseLayoutDir });

    const base = readLayoutImage(baseLayoutDir);
    const image = readLayoutImage(layoutDir);
    assert.equal(image.manifest.layers.length, 2);
    assert.deepEqual(image.manifest.layers[0], base.manifest.layers[0]);
    assert.deepEqual(image.diffIds[0], base.diffIds[0]);
    assert.notEqual(image.diffIds[1], base.diffIds[0]);
    for (const layer of image.manifest.layers) assert.ok(existsSync(blobPath(layoutDir, layer.digest)), layer.digest);
    assert.ok(existsSync(blobPath(layoutDir, manifest.digest)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
