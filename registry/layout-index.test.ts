import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from './digest.ts';
import { LayoutError } from './errors.ts';
import { checkLayoutVersion, indexedManifest, manifestToPush, OCI_MANIFEST } from './layout-index.ts';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const layoutError = (pattern: RegExp) => (error: unknown) => error instanceof LayoutError && pattern.test(error.message);

const manifest = json({ schemaVersion: 2, config: { digest: digest(1) }, layers: [{ digest: digest(2) }] });
const manifestDigest = sha256Digest(manifest);
const inLayout = new Set([digest(1), digest(2), manifestDigest]);

test('oci-layout must say version 1.0.0', () => {
  checkLayoutVersion(json({ imageLayoutVersion: '1.0.0' }));
  assert.throws(() => checkLayoutVersion(undefined), layoutError(/no oci-layout file/));
  assert.throws(() => checkLayoutVersion(json({ imageLayoutVersion: '2.0.0' })), layoutError(/imageLayoutVersion "2.0.0"; only "1.0.0"/));
  assert.throws(() => checkLayoutVersion(Buffer.from('{')), layoutError(/oci-layout is not valid JSON/));
});

test('index.json names one manifest; the same digest twice counts once', () => {
  assert.deepEqual(indexedManifest(json({ manifests: [{ mediaType: OCI_MANIFEST, digest: digest(3) }] })), { digest: digest(3), mediaType: OCI_MANIFEST });
  assert.deepEqual(indexedManifest(json({ manifests: [{ digest: digest(3) }, { digest: digest(3), mediaType: 'x' }] })), { digest: digest(3) });
});

test('index.json naming nothing, several images or an image index is refused', () => {
  assert.throws(() => indexedManifest(json({ manifests: [] })), layoutError(/names no manifest/));
  assert.throws(() => indexedManifest(json({})), layoutError(/names no manifest/));
  assert.throws(() => indexedManifest(json({ manifests: [{ digest: 'md5:x' }] })), layoutError(/without a sha256 digest/));
  assert.throws(() => indexedManifest(json({ manifests: [{ digest: digest(3) }, { digest: digest(4) }] })), layoutError(/names 2 different manifests; only a layout of a single image/));
  assert.throws(() => indexedManifest(json({ manifests: [{ digest: digest(3), mediaType: 'application/vnd.oci.image.index.v1+json' }] })), layoutError(/names an image index/));
});

test("the manifest's media type: the index entry's, else its own, else OCI's", () => {
  assert.equal(manifestToPush({ digest: manifestDigest, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }, manifest, inLayout).mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  assert.equal(manifestToPush({ digest: manifestDigest }, manifest, inLayout).mediaType, OCI_MANIFEST);
  const own = json({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { digest: digest(1) }, layers: [] });
  const ownDigest = sha256Digest(own);
  assert.deepEqual(manifestToPush({ digest: ownDigest }, own, new Set([...inLayout, ownDigest])), { digest: ownDigest, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', bytes: own });
});

test('a manifest missing from the layout, not kept, an index, or naming absent blobs is refused', () => {
  assert.throws(() => manifestToPush({ digest: manifestDigest }, manifest, new Set([digest(1), digest(2)])), layoutError(/that index.json names is not in blobs\/sha256/));
  assert.throws(() => manifestToPush({ digest: manifestDigest }, undefined, inLayout), layoutError(/too large to push/));
  assert.throws(() => manifestToPush({ digest: manifestDigest }, manifest, new Set([digest(1), manifestDigest])), layoutError(new RegExp(`names the blob ${digest(2)}, which is not in the layout`)));
  const index = json({ schemaVersion: 2, manifests: [] });
  assert.throws(() => manifestToPush({ digest: sha256Digest(index) }, index, new Set([sha256Digest(index)])), layoutError(/is an image index/));
});
