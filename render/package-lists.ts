// Package lists become files in the build context (one package per line); the Dockerfile's install
// commands read those files. Validation upstream rejects hostile values with the field path; the
// checks here are a second line of defence so that a value that slipped through can still never
// become a second line, an option, or a command.
import { CONTROL_CHARACTER } from '../api/grammar.ts';
import { MANAGERS, type PackageManager } from '../api/packages.ts';
import type { Packages } from '../api/types.ts';

export const LIST_FILES: Record<PackageManager, string> = {
  apt: 'apt.txt',
  conda: 'conda.txt',
  pip: 'requirements.txt',
};

// C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
const CONTROL = new RegExp(`${CONTROL_CHARACTER}|[\\u2028\\u2029]`);
// A line that starts with anything else could be read as an option (-r, --index-url), a comment
// (#), a file reference (./x, /x) or conda's @EXPLICIT marker.
const SAFE_START = /^[A-Za-z0-9]/;
// pip reads per-requirement options after the requirement (`pkg --global-option=...`).
const PIP_INLINE_OPTION = /\s-/;

export function checkedPackage(manager: PackageManager, index: number, value: string): string {
  const field = `spec.packages.${manager}[${index}]`;
  if (typeof value !== 'string') throw new Error(`${field}: must be a string`);
  if (CONTROL.test(value)) throw new Error(`${field}: control characters (such as a newline) are not allowed`);
  const trimmed = value.trim();
  if (!SAFE_START.test(trimmed)) {
    throw new Error(`${field}: ${JSON.stringify(trimmed)} must start with a letter or a digit`);
  }
  if (manager === 'pip' && PIP_INLINE_OPTION.test(trimmed)) {
    throw new Error(`${field}: ${JSON.stringify(trimmed)} must not carry pip options`);
  }
  return trimmed;
}

/** The checked lists, always with all three managers present. */
export function checkedPackages(packages: Packages | undefined): Record<PackageManager, string[]> {
  const result = { apt: [], conda: [], pip: [] } as Record<PackageManager, string[]>;
  for (const manager of MANAGERS) {
    const list = packages?.[manager] ?? [];
    if (!Array.isArray(list)) throw new Error(`spec.packages.${manager}: must be a list`);
    result[manager] = list.map((value, index) => checkedPackage(manager, index, value));
  }
  return result;
}

/** One package per line, newline-terminated (tools treat a missing final newline differently). */
export function listFileContent(packages: readonly string[]): string {
  return packages.map((line) => `${line}\n`).join('');
}
