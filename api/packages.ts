// Package lists as the build and the revision see them.
import type { Packages } from './types.ts';

/** Install order: apt (system libraries) first, then conda, then pip, each its own layer. */
export const MANAGERS = ['apt', 'conda', 'pip'] as const;
export type PackageManager = (typeof MANAGERS)[number];

// Outside quoted marker values, the characters next to which a space carries no meaning (around
// parentheses only inside them: `and`/`or` before and after a group keep theirs).
const SPACES_AROUND_PUNCTUATION = /\x20*([\][,;<>=!~])\x20*/g;
const SPACES_INSIDE_PARENTHESES = /\(\x20+|\x20+\)/g;
const QUOTED = /("[^"]*"|'[^']*')/;

/**
 * A pip requirement in one canonical spacing, so that `numpy >= 1.26` and `numpy>=1.26` are the
 * same content: no spaces around punctuation, one space between words (`not in`, `and`), one
 * space after the marker's `;`. Quoted values are kept as written. A requirement without spaces
 * and without `;` (every requirement the grammar accepted before markers were allowed) is
 * returned unchanged, so its revision is unchanged too.
 */
export function canonicalPipRequirement(requirement: string): string {
  return requirement
    .trim()
    .split(QUOTED)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/\x20+/g, ' ').replace(SPACES_AROUND_PUNCTUATION, '$1').replace(SPACES_INSIDE_PARENTHESES, (s) => s.trim()).replaceAll(';', '; ')))
    .join('');
}

/**
 * The three lists, always present, entries trimmed, order kept; pip requirements in their
 * canonical spacing. Surrounding whitespace carries no meaning (the CRD rules allow spaces around
 * an entry); no other character is ever changed. Missing or null lists (PrimeHub omits empty
 * ones) become empty lists.
 */
export function normalizePackages(packages?: Packages | null): Required<Packages> {
  const list = (manager: PackageManager) => (packages?.[manager] ?? []).map((entry) => entry.trim());
  return { apt: list('apt'), conda: list('conda'), pip: list('pip').map(canonicalPipRequirement) };
}
