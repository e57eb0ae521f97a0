// Which ImageSpecs and Pods each phase uses, from the options alone.
import type { ImageSpec } from '../api/types.ts';
import { chaosBase } from '../e2e/chaos/namespace-state.ts';

/** `spec-00000`, ...: sorted as created. */
export function imageSpecNames(n: number): string[] {
  const width = String(n - 1).length;
  return Array.from({ length: n }, (_, i) => `spec-${String(i).padStart(width, '0')}`);
}

/** A spec with the three package kinds, so each revision renders a full build context. */
export function benchSpec(edit?: number): ImageSpec['spec'] {
  return {
    ...chaosBase,
    packages: {
      apt: ['curl', 'git', ...(edit === undefined ? [] : [`edit${edit}`])],
      conda: ['numpy=1.26'],
      pip: ['requests[socks]>=2.31,<3', 'pandas==2.2.2'],
    },
  };
}

export interface StatusPlan {
  /** Timed: Running, then Succeeded. */
  succeed: string[];
  /** Timed: Running, then Failed. */
  fail: string[];
  /** Untimed: Running, then Succeeded, so that every revision is finished. */
  rest: string[];
}

/**
 * Splits the ImageSpecs for the status phase: at most a fifth of them fail, the timed ones are
 * spread over the whole range (not only the first created), the others finish untimed.
 */
export function statusPlan(names: readonly string[], statusPods: number, failedPods: number): StatusPlan {
  const failCount = Math.min(failedPods, Math.floor(names.length / 5));
  const timed = spread(names, Math.min(statusPods, names.length - failCount) + failCount);
  const failing = (i: number) => Math.floor(((i + 1) * failCount) / timed.length) > Math.floor((i * failCount) / timed.length);
  const chosen = new Set(timed);
  return {
    succeed: timed.filter((_, i) => !failing(i)),
    fail: timed.filter((_, i) => failing(i)),
    rest: names.filter((name) => !chosen.has(name)),
  };
}

/** `count` names spread evenly over `names`, in order; all of them when count >= their number. */
export function spread(names: readonly string[], count: number): string[] {
  if (count >= names.length) return [...names];
  return Array.from({ length: count }, (_, i) => names[Math.floor((i * names.length) / count)]!);
}

/** ISO 8601 basic format (no colons, safe in every file system): 20250101T120000Z. */
export function timestampName(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.[0-9]+Z$/, 'Z');
}
