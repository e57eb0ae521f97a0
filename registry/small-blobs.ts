// Copies of the layout's small JSON blobs, kept while the tar streams past, because the manifest
// to tag is one of them and index.json, which says which, may come before or after it. Layers
// are not JSON, so they are not kept; once index.json is known only its manifest is.
// The limit registries put on a manifest; a layout holds one manifest and one config, both a few
// KB. With at most 8 uploads at once (controllers/upload/server.ts) a hostile upload of JSON-looking
// blobs can make a replica hold 8 x 8 MiB at most.
export const MAX_KEPT_BLOB = 4 * 1024 * 1024;
export const MAX_KEPT_TOTAL = 8 * 1024 * 1024;

const JSON_START = 0x7b; // '{'
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Gathers one blob's chunks for as long as it still looks like a JSON object. */
export class BlobCopy {
  private readonly parts: Uint8Array[] = [];
  private sniffed = false;
  private dropped = false;

  add(chunk: Uint8Array): void {
    if (this.dropped) return;
    if (!this.sniffed) {
      const first = chunk.find((byte) => !WHITESPACE.has(byte));
      if (first !== undefined) {
        this.sniffed = true;
        if (first !== JSON_START) {
          this.dropped = true;
          this.parts.length = 0;
          return;
        }
      }
    }
    this.parts.push(new Uint8Array(chunk));
  }

  /** The whole blob, or undefined when it was not JSON. */
  bytes(): Uint8Array | undefined {
    return this.dropped ? undefined : Buffer.concat(this.parts);
  }
}

export class SmallBlobs {
  private readonly blobs = new Map<string, Uint8Array>();
  private total = 0;
  private wanted: string | undefined;

  /** From now on only this blob is worth keeping; the others are let go. */
  want(digest: string): void {
    this.wanted = digest;
    for (const [kept, bytes] of this.blobs) {
      if (kept === digest) continue;
      this.blobs.delete(kept);
      this.total -= bytes.length;
    }
  }

  /** A copy to fill while the blob streams, or undefined when it is not worth keeping. */
  copyFor(digest: string, size: number): BlobCopy | undefined {
    if (this.wanted !== undefined && digest !== this.wanted) return undefined;
    if (size > MAX_KEPT_BLOB || this.total + size > MAX_KEPT_TOTAL || this.blobs.has(digest)) return undefined;
    return new BlobCopy();
  }

  store(digest: string, copy: BlobCopy): void {
    const bytes = copy.bytes();
    if (!bytes || this.blobs.has(digest)) return;
    this.blobs.set(digest, bytes);
    this.total += bytes.length;
  }

  get(digest: string): Uint8Array | undefined {
    return this.blobs.get(digest);
  }
}
