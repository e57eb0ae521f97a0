// One 512-byte tar header block and the pax extended-header records, parsed (pure). The formats:
// POSIX ustar with its name prefix, GNU (its own magic, no prefix, base-256 sizes over 8 GiB) and
// pax records (`"<length> <key>=<value>\n"`). Anything malformed is a LayoutError naming the entry.
import { LayoutError } from './errors.ts';

export const BLOCK_SIZE = 512;

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'device' | 'fifo' | 'other';

export interface TarHeader {
  /** The name as the header holds it (ustar prefix joined), before any long name or pax path. */
  name: string;
  size: number;
  /** The raw type flag: '0'..'7', 'L' (GNU long name), 'x' and 'g' (pax), ... */
  typeflag: string;
}

const decoder = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

/** The text of a NUL-terminated field. */
function text(field: Uint8Array): string {
  const end = field.indexOf(0);
  return decoder.decode(end === -1 ? field : field.subarray(0, end));
}

/**
 * A numeric field: octal digits (leading spaces, then NULs or spaces after), or GNU's base-256
 * (high bit of the first byte set) for values an octal field cannot hold.
 */
function numeric(field: Uint8Array, what: string, entry: string): number {
  const first = field[0] ?? 0;
  if (first & 0x80) {
    if (first === 0xff) throw new LayoutError(`The ${what} field of the tar header for "${entry}" is negative.`);
    let value = first & 0x7f;
    for (const byte of field.subarray(1)) {
      value = value * 256 + byte;
      if (value > Number.MAX_SAFE_INTEGER) throw new LayoutError(`The ${what} field of the tar header for "${entry}" is too large.`);
    }
    return value;
  }
  const digits = /^ *([0-7]*)[ \0]*$/.exec(latin1.decode(field));
  if (!digits) throw new LayoutError(`The ${what} field of the tar header for "${entry}" is not an octal number.`);
  return digits[1] ? parseInt(digits[1], 8) : 0;
}

export function isZeroBlock(block: Uint8Array): boolean {
  return block.every((byte) => byte === 0);
}

/**
 * The sum of the header's bytes with the checksum field counted as spaces. Writers differ on
 * signed or unsigned bytes; either sum is accepted, as GNU tar does.
 */
function checksumMatches(block: Uint8Array, stored: number): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** Parses one header block; `offset` (its place in the stream) makes the checksum message useful. */
export function parseHeader(block: Uint8Array, offset: number): TarHeader {
  const field = (start: number, length: number) => block.subarray(start, start + length);
  const ustar = latin1.decode(field(257, 8)) === 'ustar\u000000';
  const ownName = text(field(0, 100));
  const prefix = ustar ? text(field(345, 155)) : '';
  const name = prefix ? `${prefix}/${ownName}` : ownName;
  const stored = /^ *[0-7]+[ \0]*$/.test(latin1.decode(field(148, 8))) ? numeric(field(148, 8), 'checksum', name) : -1;
  if (!checksumMatches(block, stored)) {
    throw new LayoutError(`The tar header at byte ${offset} ("${name}") has a wrong checksum: the upload is corrupt or not a tar archive.`);
  }
  const typeflag = String.fromCharCode(block[156]!);
  return { name, size: numeric(field(124, 12), 'size', name), typeflag };
}

export function entryType(typeflag: string): TarEntryType {
  switch (typeflag) {
    case '0':
    case '\0':
    case '7':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
    case '4':
      return 'device';
    case '5':
      return 'directory';
    case '6':
      return 'fifo';
    default:
      return 'other';
  }
}

/** The text of a GNU long-name body: the name, NUL-terminated. */
export function longName(data: Uint8Array): string {
  return text(data);
}

/** pax extended-header records as key -> value (a later record wins, as the format says). */
export function parsePaxRecords(data: Uint8Array, entry: string): Map<string, string> {
  const records = new Map<string, string>();
  const malformed = () => new LayoutError(`The pax extended header before "${entry}" is malformed.`);
  let position = 0;
  while (position < data.length) {
    const space = data.indexOf(0x20, position);
    if (space === -1) throw malformed();
    const lengthText = latin1.decode(data.subarray(position, space));
    if (!/^[1-9][0-9]*$/.test(lengthText)) throw malformed();
    const end = position + Number(lengthText);
    if (end > data.length || end <= space + 1 || data[end - 1] !== 0x0a) throw malformed();
    const record = decoder.decode(data.subarray(space + 1, end - 1));
    const equals = record.indexOf('=');
    if (equals <= 0) throw malformed();
    records.set(record.slice(0, equals), record.slice(equals + 1));
    position = end;
  }
  return records;
}

/** The pax `size` record, a decimal number of bytes. */
export function paxSize(value: string, entry: string): number {
  const size = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(size)) throw new LayoutError(`The pax size of "${entry}" is not a whole number of bytes.`);
  return size;
}
