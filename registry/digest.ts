// sha256 digests as OCI writes them ("sha256:<64 hex>"), and checking a blob's bytes against
// the digest it is named by while they stream past.
import { createHash } from 'node:crypto';
import { LayoutError } from './errors.ts';

export const SHA256_HEX = /^[a-f0-9]{64}$/;

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * The blob's `size` bytes passed through unchanged, hashed on the way. When its content is not
 * `digest`, the LayoutError comes before the last chunk is handed on, so an upload fed from here
 * never sends a complete body under a wrong name. `copy`, when given, is offered every chunk.
 */
export async function* verifiedChunks(chunks: AsyncIterable<Uint8Array>, digest: string, size: number, copy?: { add(chunk: Uint8Array): void }): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  let seen = 0;
  const check = () => {
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== digest) throw new LayoutError(`The blob "blobs/${digest.replace(':', '/')}" does not match its name: its content has digest ${actual}.`);
  };
  if (size === 0) check();
  for await (const chunk of chunks) {
    hash.update(chunk);
    seen += chunk.length;
    copy?.add(chunk);
    if (seen === size) check();
    yield chunk;
  }
}
