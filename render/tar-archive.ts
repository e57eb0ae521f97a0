// A small ustar archive of text files (pure): how the build context reaches a build Pod. The
// controller answers the Pod's context step with it and the step unpacks it with plain `tar -x`.
// Every header is fixed apart from the name and size (mode 0444, owner 0, time 0), so the same
// files always give the same bytes. A path longer than ustar's 100-byte name field (a ConfigMap
// key may have 253 characters) goes before its entry in a POSIX pax header, which GNU tar, bsdtar
// and busybox read.

const BLOCK = 512;
const FILE_MODE = 0o444;
/** ustar's name field; context files are single names far shorter than this. */
const MAX_NAME_BYTES = 100;

function writeField(block: Buffer, offset: number, length: number, value: string): void {
  block.write(value, offset, length, 'latin1');
}

/** An octal number, zero-padded, with the terminating NUL ustar expects. */
function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

const DIRECTORY_MODE = 0o755;
/** The user's own files (spec.build): the modes a docker build context usually has, since COPY keeps them. */
const SOURCE_FILE_MODE = 0o644;

function header(name: string, size: number, mode = FILE_MODE, type: '0' | '5' | 'x' = '0'): Buffer {
  const block = Buffer.alloc(BLOCK);
  writeField(block, 0, 100, name);
  writeField(block, 100, 8, octal(mode, 8));
  writeField(block, 108, 8, octal(0, 8));
  writeField(block, 116, 8, octal(0, 8));
  writeField(block, 124, 12, octal(size, 12));
  writeField(block, 136, 12, octal(0, 12));
  // The checksum is computed with its own field as eight spaces.
  writeField(block, 148, 8, ' '.repeat(8));
  writeField(block, 156, 1, type);
  writeField(block, 257, 8, 'ustar\u000000');
  let sum = 0;
  for (const byte of block) sum += byte;
  writeField(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** The longest plain name a file of the archive may have: a ConfigMap key's limit. */
const MAX_PLAIN_NAME_BYTES = 253;

function checkedName(name: string, maxBytes: number): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name === '.' || name === '..' || Buffer.byteLength(name) > maxBytes) {
    throw new Error(`Cannot archive "${name}": context files are plain names of at most ${maxBytes} characters`);
  }
  return name;
}

function padding(length: number): Buffer {
  return Buffer.alloc((BLOCK - (length % BLOCK)) % BLOCK);
}

/** A pax record, "<length> path=<value>\n", whose length counts its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
  return `${length}${body}`;
}

function fileEntry(parts: Buffer[], name: string, content: Buffer, mode: number): void {
  let headerName = name;
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
    const extended = Buffer.from(paxRecord('path', name), 'utf8');
    parts.push(header('PaxHeader', extended.length, 0o644, 'x'), extended, padding(extended.length));
    // Readers without pax support unpack the file under this truncated name instead.
    headerName = name.slice(0, MAX_NAME_BYTES);
  }
  parts.push(header(headerName, content.length, mode), content, padding(content.length));
}

/** A directory of the archive with the user's files in it (ConfigMap keys: plain names too). */
export interface ArchiveDirectory {
  name: string;
  files: Record<string, Buffer>;
}

/**
 * The files (name -> UTF-8 text) as one tar archive, in name order, then `directory` with its
 * files. Names must be plain file names.
 */
export function tarArchive(files: Record<string, string>, directory?: ArchiveDirectory): Buffer {
  const parts: Buffer[] = [];
  for (const name of Object.keys(files).sort()) fileEntry(parts, checkedName(name, MAX_NAME_BYTES), Buffer.from(files[name]!, 'utf8'), FILE_MODE);
  if (directory) {
    const prefix = `${checkedName(directory.name, 16)}/`;
    parts.push(header(prefix, 0, DIRECTORY_MODE, '5'));
    for (const name of Object.keys(directory.files).sort()) {
      fileEntry(parts, prefix + checkedName(name, MAX_PLAIN_NAME_BYTES), directory.files[name]!, SOURCE_FILE_MODE);
    }
  }
  // Two zero blocks end the archive.
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
