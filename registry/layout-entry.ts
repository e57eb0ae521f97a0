// What one tar entry of an uploaded OCI image layout is: the layout's own directories, its
// oci-layout and index.json files, or a blob named by its sha256 digest. Anything else (links,
// devices, paths leaving the layout, other digest algorithms, stray files) is refused.
import { SHA256_HEX } from './digest.ts';
import { LayoutError } from './errors.ts';
import type { TarEntry } from './tar-stream.ts';

export type LayoutEntry = { kind: 'directory' } | { kind: 'oci-layout' } | { kind: 'index' } | { kind: 'blob'; digest: string };

const DIRECTORIES = new Set(['', 'blobs', 'blobs/sha256']);

export function classifyEntry(entry: Pick<TarEntry, 'name' | 'type' | 'typeflag'>): LayoutEntry {
  const { name } = entry;
  const parts = name.split('/');
  if (name.startsWith('/') || parts.includes('..')) throw new LayoutError(`The path "${name}" leaves the layout directory.`);
  const algorithm = parts[0] === 'blobs' && parts.length >= 2 ? parts[1]! : undefined;
  if (algorithm !== undefined && algorithm !== 'sha256') {
    throw new LayoutError(`The layout holds "${name}", named by the digest algorithm "${algorithm}"; only sha256 is supported.`);
  }
  if (entry.type === 'directory') {
    if (DIRECTORIES.has(name)) return { kind: 'directory' };
    throw new LayoutError(`The layout holds an unexpected directory "${name}".`);
  }
  if (entry.type !== 'file') {
    const what = entry.type === 'other' ? `an entry of tar type "${entry.typeflag}"` : `a ${entry.type}`;
    throw new LayoutError(`"${name}" is ${what}; an OCI layout may hold only regular files and directories.`);
  }
  if (name === 'oci-layout') return { kind: 'oci-layout' };
  if (name === 'index.json') return { kind: 'index' };
  if (algorithm === 'sha256' && parts.length === 3) {
    if (SHA256_HEX.test(parts[2]!)) return { kind: 'blob', digest: `sha256:${parts[2]}` };
    throw new LayoutError(`The blob "${name}" is not named by a sha256 digest (64 lowercase hex characters).`);
  }
  throw new LayoutError(`The layout holds an unexpected file "${name}".`);
}
