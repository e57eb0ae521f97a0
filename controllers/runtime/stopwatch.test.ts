import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stopwatches } from './stopwatch.ts';

function fakeClock() {
  let now = 1000;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

test('a stopwatch measures from its first start to its stop, once', () => {
  const time = fakeClock();
  const watches = new Stopwatches({ clock: time.clock });
  watches.start('ns/a');
  time.advance(300);
  watches.start('ns/a');
  time.advance(200);
  assert.equal(watches.stop('ns/a'), 0.5, 'the second start must not restart it');
  assert.equal(watches.stop('ns/a'), undefined);
});

test('stopping or cancelling a key never started is harmless', () => {
  const watches = new Stopwatches({ clock: fakeClock().clock });
  assert.equal(watches.stop('ns/none'), undefined);
  watches.cancel('ns/none');
  watches.start('ns/b');
  watches.cancel('ns/b');
  assert.equal(watches.stop('ns/b'), undefined);
});

test('past the limit the oldest running key is dropped', () => {
  const time = fakeClock();
  const watches = new Stopwatches({ limit: 2, clock: time.clock });
  watches.start('ns/1');
  watches.start('ns/2');
  watches.start('ns/3');
  assert.equal(watches.size, 2);
  assert.equal(watches.stop('ns/1'), undefined);
  time.advance(1000);
  assert.equal(watches.stop('ns/3'), 1);
});
