import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chaosSeed, seededRandom } from './random.ts';

test('the same seed gives the same sequence, another seed another one', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const c = seededRandom(43);
  const take = (r: ReturnType<typeof seededRandom>) => Array.from({ length: 20 }, () => r.int(0, 1000));
  const first = take(a);
  assert.deepEqual(first, take(b));
  assert.notDeepEqual(first, take(c));
});

test('values stay in their ranges and cover them', () => {
  const random = seededRandom(7);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i += 1) {
    const value = random.int(3, 9);
    assert.ok(value >= 3 && value <= 9);
    seen.add(value);
    const unit = random.next();
    assert.ok(unit >= 0 && unit < 1);
  }
  assert.equal(seen.size, 7);
  assert.throws(() => random.pick([]), /empty/);
});

test('the seed comes from IMAGESPEC_CHAOS_SEED when set, and a bad one is refused', () => {
  assert.equal(chaosSeed({ IMAGESPEC_CHAOS_SEED: '12345' }), 12345);
  assert.throws(() => chaosSeed({ IMAGESPEC_CHAOS_SEED: 'x' }), /IMAGESPEC_CHAOS_SEED: x is not an integer/);
  const fresh = chaosSeed({});
  assert.ok(Number.isInteger(fresh) && fresh >= 0);
});
