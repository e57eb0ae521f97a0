// A streaming tar reader. Entries come one at a time and their bodies are views of the chunks
// the source delivered, so memory stays at a chunk or so however large a layer is; only header
// data (GNU long names, pax records) is gathered, and that is capped.
import { LayoutError } from './errors.ts';
import { BLOCK_SIZE, entryType, isZeroBlock, longName, paxSize, parseHeader, parsePaxRecords, type TarEntryType } from './tar-header.ts';

export type { TarEntryType } from './tar-header.ts';

export interface TarEntry {
  /** The path without leading "./" nor trailing "/"; "" is the archive's root directory ("./"). */
  name: string;
  size: number;
  type: TarEntryType;
  /** The header's raw type flag, for messages about entries of type 'other'. */
  typeflag: string;
  /**
   * Exactly `size` bytes, readable once, before the next entry is asked for; what the caller
   * leaves unread is skipped by the reader. Chunks are views of the source's chunks, not copies.
   */
  body: AsyncIterable<Uint8Array>;
}

/** GNU long names and pax headers larger than this are refused rather than held in memory. */
export const MAX_HEADER_DATA = 64 * 1024;
/** GNU tar pads an archive to its record size (10 KiB by default) with zeros after the end. */
const MAX_TRAILING_ZEROS = 1024 * 1024;

/** Pulls bytes from the source in pieces no larger than asked for, without copying them. */
class ByteSource {
  private readonly iterator: AsyncIterator<unknown>;
  private chunk: Uint8Array = new Uint8Array(0);
  private ended = false;
  /** Bytes handed out so far. */
  position = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Between 1 and `max` bytes, or undefined once the source has ended. */
  async take(max: number): Promise<Uint8Array | undefined> {
    while (this.chunk.length === 0) {
      if (this.ended) return undefined;
      const next = await this.iterator.next();
      if (next.done) {
        this.ended = true;
        return undefined;
      }
      if (!(next.value instanceof Uint8Array)) throw new TypeError('The tar source must yield bytes (Uint8Array), not text.');
      this.chunk = next.value;
    }
    const piece = this.chunk.subarray(0, max);
    this.chunk = this.chunk.subarray(piece.length);
    this.position += piece.length;
    return piece;
  }

  /** `length` bytes copied into one array; shorter only when the source ended first. */
  async read(length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const piece = await this.take(length - filled);
      if (!piece) return out.subarray(0, filled);
      out.set(piece, filled);
      filled += piece.length;
    }
    return out;
  }
}

function truncated(what: string): LayoutError {
  return new LayoutError(`The tar stream ended in the middle of ${what}: the upload is incomplete.`);
}

/** One entry's data and padding, read by the caller or skipped by the reader. */
class EntryData {
  private readonly input: ByteSource;
  private readonly size: number;
  private readonly label: string;
  private remaining: number;
  private started = false;
  private passed = false;

  constructor(input: ByteSource, size: number, label: string) {
    this.input = input;
    this.size = size;
    this.label = label;
    this.remaining = size;
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    if (this.started) throw new Error(`The body of tar entry ${this.label} can be read only once.`);
    this.started = true;
    for (;;) {
      if (this.passed) throw new Error(`The body of tar entry ${this.label} was read after the reader moved past it.`);
      if (this.remaining === 0) return;
      const piece = await this.input.take(this.remaining);
      if (!piece) throw truncated(`${this.label} (${this.size - this.remaining} of ${this.size} bytes read)`);
      this.remaining -= piece.length;
      yield piece;
    }
  }

  /** Gathers the whole body (header data only, so `size` was checked against MAX_HEADER_DATA). */
  async gather(): Promise<Uint8Array> {
    const data = await this.input.read(this.remaining);
    if (data.length < this.remaining) throw truncated(this.label);
    this.remaining = 0;
    return data;
  }

  /** Skips what is left of the body and the padding up to the next block. */
  async pass(): Promise<void> {
    this.passed = true;
    const padding = (BLOCK_SIZE - (this.size % BLOCK_SIZE)) % BLOCK_SIZE;
    let left = this.remaining + padding;
    while (left > 0) {
      const piece = await this.input.take(left);
      if (!piece) throw truncated(this.label);
      left -= piece.length;
    }
    this.remaining = 0;
  }
}

function normalizeName(raw: string): string {
  let name = raw;
  while (name.startsWith('./')) name = name.slice(2);
  if (name === '.') return '';
  while (name.endsWith('/')) name = name.slice(0, -1);
  return name;
}

/** After the first zero block only zeros may follow (the second block, then record padding). */
async function expectOnlyZeros(input: ByteSource): Promise<void> {
  const start = input.position;
  for (let piece = await input.take(BLOCK_SIZE); piece; piece = await input.take(BLOCK_SIZE)) {
    if (!isZeroBlock(piece)) throw new LayoutError('The tar stream has data after its end-of-archive marker.');
    if (input.position - start > MAX_TRAILING_ZEROS) throw new LayoutError('The tar stream goes on too long after its end-of-archive marker.');
  }
}

/**
 * Headers that describe the next entry: 'L' (GNU long name), 'x' (pax records), 'g' (global pax
 * records: nothing in them matters here) and 'K' (a long link target: links are refused anyway).
 */
function isMetadata(typeflag: string): boolean {
  return typeflag === 'L' || typeflag === 'x' || typeflag === 'g' || typeflag === 'K';
}

/** Only the records used here are kept, so many pax headers in a row cannot add up in memory. */
function keepPaxRecords(pax: Map<string, string>, records: Map<string, string>): void {
  for (const key of ['path', 'size']) {
    const value = records.get(key);
    if (value !== undefined) pax.set(key, value);
  }
}

async function headerData(data: EntryData, size: number, what: string): Promise<Uint8Array> {
  if (size > MAX_HEADER_DATA) throw new LayoutError(`The tar stream has a ${what} of ${size} bytes; at most ${MAX_HEADER_DATA} are accepted.`);
  return data.gather();
}

/**
 * The entries of a tar stream (GNU, ustar or pax), in order. The stream may end with the two
 * zero blocks or simply at a block boundary. On error the source is left where reading stopped:
 * the caller decides what to do with the rest of it.
 */
export async function* readTar(source: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntry, void, undefined> {
  const input = new ByteSource(source);
  let pendingName: string | undefined;
  const pax = new Map<string, string>();
  for (;;) {
    const offset = input.position;
    const block = await input.read(BLOCK_SIZE);
    if (block.length === 0) return;
    if (block.length < BLOCK_SIZE) throw truncated(`a tar header at byte ${offset}`);
    if (isZeroBlock(block)) {
      await expectOnlyZeros(input);
      return;
    }
    const header = parseHeader(block, offset);
    if (isMetadata(header.typeflag)) {
      const data = new EntryData(input, header.size, `"${header.name}"`);
      if (header.typeflag === 'L') pendingName = longName(await headerData(data, header.size, 'long name'));
      if (header.typeflag === 'x') keepPaxRecords(pax, parsePaxRecords(await headerData(data, header.size, 'pax extended header'), header.name));
      await data.pass();
      continue;
    }
    const paxSizeRecord = pax.get('size');
    const size = paxSizeRecord === undefined ? header.size : paxSize(paxSizeRecord, header.name);
    const name = normalizeName(pax.get('path') ?? pendingName ?? header.name);
    pendingName = undefined;
    pax.clear();
    const data = new EntryData(input, size, `"${name || '.'}"`);
    yield { name, size, type: entryType(header.typeflag), typeflag: header.typeflag, body: data.chunks() };
    await data.pass();
  }
}
