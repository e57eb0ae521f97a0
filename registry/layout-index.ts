// The layout's metadata, checked (pure): oci-layout's version, the one manifest index.json names,
// and that manifest itself, which is what gets tagged. An image index (several platforms) is
// refused for now: the builds here make one image.
import { sha256Digest } from './digest.ts';
import { LayoutError } from './errors.ts';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX_MEDIA_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export interface ManifestDescriptor {
  digest: string;
  /** From the index entry; absent when the index does not say. */
  mediaType?: string;
}

export interface ManifestToPush {
  digest: string;
  mediaType: string;
  bytes: Uint8Array;
}

function parseJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new LayoutError(`${file} is not valid JSON.`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function checkLayoutVersion(ociLayout: Uint8Array | undefined): void {
  if (!ociLayout) throw new LayoutError('The layout has no oci-layout file.');
  const parsed = parseJson(ociLayout, 'oci-layout');
  const version = isObject(parsed) ? parsed.imageLayoutVersion : undefined;
  if (version !== '1.0.0') throw new LayoutError(`oci-layout says imageLayoutVersion ${JSON.stringify(version ?? null)}; only "1.0.0" is supported.`);
}

/** The single manifest index.json names (its first entry when several name the same digest). */
export function indexedManifest(index: Uint8Array): ManifestDescriptor {
  const parsed = parseJson(index, 'index.json');
  const manifests = isObject(parsed) ? parsed.manifests : undefined;
  if (!Array.isArray(manifests) || manifests.length === 0) throw new LayoutError('index.json names no manifest.');
  const descriptors = manifests.map((entry): ManifestDescriptor => {
    const digest = isObject(entry) ? entry.digest : undefined;
    const mediaType = isObject(entry) ? entry.mediaType : undefined;
    if (typeof digest !== 'string' || !DIGEST.test(digest)) throw new LayoutError('index.json has a manifest entry without a sha256 digest.');
    return { digest, ...(typeof mediaType === 'string' && mediaType ? { mediaType } : {}) };
  });
  const distinct = new Set(descriptors.map((descriptor) => descriptor.digest));
  if (distinct.size > 1) {
    throw new LayoutError(`index.json names ${distinct.size} different manifests; only a layout of a single image can be pushed.`);
  }
  const first = descriptors[0]!;
  if (first.mediaType && INDEX_MEDIA_TYPES.has(first.mediaType)) {
    throw new LayoutError(`index.json names an image index (${first.mediaType}); only a single image manifest can be pushed.`);
  }
  return first;
}

/**
 * The manifest to PUT by tag: the blob index.json names, in the layout, an image manifest whose
 * config and layers the layout holds too. Its media type is the index entry's, else its own,
 * else OCI's.
 */
export function manifestToPush(descriptor: ManifestDescriptor, bytes: Uint8Array | undefined, blobsInLayout: ReadonlySet<string>): ManifestToPush {
  const { digest } = descriptor;
  if (!blobsInLayout.has(digest)) throw new LayoutError(`The manifest ${digest} that index.json names is not in blobs/sha256.`);
  if (!bytes) throw new LayoutError(`The manifest ${digest} is too large to push (more than 4 MiB), or came after too many other small blobs.`);
  if (sha256Digest(bytes) !== digest) throw new Error(`The kept copy of manifest ${digest} does not match its digest.`);
  const manifest = parseJson(bytes, `The manifest ${digest}`);
  if (!isObject(manifest)) throw new LayoutError(`The manifest ${digest} is not a JSON object.`);
  const ownMediaType = typeof manifest.mediaType === 'string' && manifest.mediaType ? manifest.mediaType : undefined;
  if (Array.isArray(manifest.manifests) || INDEX_MEDIA_TYPES.has(ownMediaType ?? '')) {
    throw new LayoutError(`The manifest ${digest} is an image index; only a single image manifest can be pushed.`);
  }
  const referenced = [manifest.config, ...(Array.isArray(manifest.layers) ? manifest.layers : [])];
  for (const blob of referenced) {
    const blobDigest = isObject(blob) ? blob.digest : undefined;
    if (typeof blobDigest !== 'string') throw new LayoutError(`The manifest ${digest} has a config or layer without a digest.`);
    if (!blobsInLayout.has(blobDigest)) throw new LayoutError(`The manifest ${digest} names the blob ${blobDigest}, which is not in the layout.`);
  }
  return { digest, mediaType: descriptor.mediaType ?? ownMediaType ?? OCI_MANIFEST, bytes };
}
