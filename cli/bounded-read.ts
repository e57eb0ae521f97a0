// Reads a manifest without ever holding more than a bound in memory: a file or a stream larger
// than an ImageSpec could be is refused after reading one byte past the bound.
import { closeSync, openSync, readSync } from 'node:fs';

export class InputTooLarge extends Error {
  constructor(limit: number) {
    super(`more than ${limit} bytes: too large for an ImageSpec manifest`);
  }
}

/** The file's text; throws InputTooLarge past `limit` bytes (works for pipes and devices too). */
export function readFileBounded(path: string, limit: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > limit) throw new InputTooLarge(limit);
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The stream's text; rejects with InputTooLarge past `limit` bytes, and stops reading. */
export async function readStreamBounded(stream: AsyncIterable<Buffer | string> & { destroy?(): void }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    length += buffer.length;
    if (length > limit) {
      stream.destroy?.();
      throw new InputTooLarge(limit);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
