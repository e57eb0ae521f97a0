// A small seeded pseudo-random generator (mulberry32), so a chaos run's schedule of operations and
// kills is reproduced by its printed seed.
export interface Random {
  /** In [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: <T>(items: readonly T[]) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(0, items.length - 1)]!;
    },
    chance: (probability) => next() < probability,
  };
}

/** The seed from IMAGESPEC_CHAOS_SEED, or a new one. */
export function chaosSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env['IMAGESPEC_CHAOS_SEED'];
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`IMAGESPEC_CHAOS_SEED: ${given} is not an integer from 0 to 4294967295`);
    return seed;
  }
  return Math.floor(Math.random() * 0xffffffff);
}
