// Pushes an OCI image layout that arrives as a tar stream (`tar -C <layout> -cf - .`) to a
// registry, reading the stream once, in whatever order its entries come: each blob is checked
// against its name while it streams and uploaded unless the registry has it already; at the end
// the one manifest index.json names is PUT by tag. Nothing is tagged unless all of it was right.
import { RegistryClient, type RegistryCredentials, type RegistryTransport } from './client.ts';
import { verifiedChunks } from './digest.ts';
import { LayoutError } from './errors.ts';
import { classifyEntry } from './layout-entry.ts';
import { checkLayoutVersion, indexedManifest, manifestToPush, type ManifestDescriptor } from './layout-index.ts';
import { SmallBlobs } from './small-blobs.ts';
import { readTar, type TarEntry } from './tar-stream.ts';
import { formatTargetImage, type TargetImage } from './target-image.ts';

export { parseTargetImage } from './target-image.ts';

export interface PushTarget extends TargetImage, RegistryTransport {
  credentials?: RegistryCredentials;
  /** Where the credential comes from, for the registry's refusals (client.ts). */
  credentialSource?: string;
}

export interface PushOptions {
  signal?: AbortSignal;
  /** How long the registry may keep one request waiting; 60 s by default. */
  timeoutMs?: number;
}

export interface PushResult {
  /** The manifest's digest, sha256:<hex>. */
  digest: string;
  /** The bytes of the blobs uploaded (those the registry lacked). */
  bytes: number;
  blobsUploaded: number;
  blobsSkipped: number;
}

const MAX_INDEX_BYTES = 4 * 1024 * 1024;
const MAX_OCI_LAYOUT_BYTES = 64 * 1024;

/** A small file of the layout, whole. */
async function readSmallFile(entry: TarEntry, limit: number): Promise<Uint8Array> {
  if (entry.size > limit) throw new LayoutError(`${entry.name} is ${entry.size} bytes; at most ${limit} are accepted.`);
  const parts: Uint8Array[] = [];
  for await (const chunk of entry.body) parts.push(new Uint8Array(chunk));
  return Buffer.concat(parts);
}

/** The sentence, naming the image it was about. */
function aboutImage(error: LayoutError, reference: string): LayoutError {
  return new LayoutError(`${error.message.replace(/\.$/, '')} (pushing ${reference}).`, { cause: error });
}

/**
 * Reads the tar from `source` and pushes the image it holds to `target`. A LayoutError means
 * the upload is not a valid OCI layout of one image (the caller's fault); a RegistryError that
 * the registry refused or failed. On either, the source is left where reading stopped.
 */
export async function pushLayoutTar(source: AsyncIterable<Uint8Array>, target: PushTarget, options: PushOptions = {}): Promise<PushResult> {
  const reference = formatTargetImage(target);
  const client = new RegistryClient({
    registry: target.registry,
    insecure: target.insecure,
    ...(target.skipTlsVerify ? { skipTlsVerify: true } : {}),
    ...(target.extraCa ? { extraCa: target.extraCa } : {}),
    ...(target.credentialSource ? { credentialSource: target.credentialSource } : {}),
    ...(target.credentials ? { credentials: target.credentials } : {}),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const requestOptions = options.signal ? { signal: options.signal } : {};
  const { repository } = target;
  const smallBlobs = new SmallBlobs();
  const blobsInLayout = new Set<string>();
  const result = { bytes: 0, blobsUploaded: 0, blobsSkipped: 0 };
  let ociLayout: Uint8Array | undefined;
  let manifest: ManifestDescriptor | undefined;
  try {
    for await (const entry of readTar(source)) {
      options.signal?.throwIfAborted();
      const kind = classifyEntry(entry);
      if (kind.kind === 'oci-layout') ociLayout = await readSmallFile(entry, MAX_OCI_LAYOUT_BYTES);
      if (kind.kind === 'index') {
        if (manifest) throw new LayoutError('The layout holds index.json twice.');
        manifest = indexedManifest(await readSmallFile(entry, MAX_INDEX_BYTES));
        smallBlobs.want(manifest.digest);
      }
      if (kind.kind !== 'blob') continue;
      const copy = smallBlobs.copyFor(kind.digest, entry.size);
      const chunks = verifiedChunks(entry.body, kind.digest, entry.size, copy);
      if (await client.blobExists(repository, kind.digest, requestOptions)) {
        for await (const _ of chunks) void _; // read to verify it, then dropped
        result.blobsSkipped++;
      } else {
        await client.uploadBlob(repository, kind.digest, entry.size, chunks, requestOptions);
        result.blobsUploaded++;
        result.bytes += entry.size;
      }
      if (copy) smallBlobs.store(kind.digest, copy);
      blobsInLayout.add(kind.digest);
    }
    options.signal?.throwIfAborted();
    checkLayoutVersion(ociLayout);
    if (!manifest) throw new LayoutError('The layout has no index.json.');
    const toPush = manifestToPush(manifest, smallBlobs.get(manifest.digest), blobsInLayout);
    const digest = await client.putManifest(repository, target.tag, toPush.mediaType, toPush.bytes, requestOptions);
    return { digest, ...result };
  } catch (error) {
    throw error instanceof LayoutError ? aboutImage(error, reference) : error;
  } finally {
    client.close();
  }
}
