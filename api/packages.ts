// Package lists as the build and the revision see them.
import type { Packages } from './types.ts';

export const MANAGERS = ['apt', 'conda', 'pip'] as const;
export type Manager = (typeof MANAGERS)[number];

/**
 * The three lists, always present, entries trimmed, order kept. Surrounding whitespace carries no
 * meaning (the CRD patterns allow spaces around an entry); inner characters are never changed.
 * Missing or null lists (PrimeHub omits empty ones) become empty lists.
 */
export function normalizePackages(packages?: Packages | null): Required<Packages> {
  const list = (manager: Manager) => (packages?.[manager] ?? []).map((entry) => entry.trim());
  return { apt: list('apt'), conda: list('conda'), pip: list('pip') };
}
