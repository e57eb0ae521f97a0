import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestLimiter } from './request-limiter.ts';

test('the burst goes at once, then requests are spaced at the rate', async () => {
  let now = 0;
  const limiter = new RequestLimiter({ qps: 100, burst: 3 }, () => now);
  for (let i = 0; i < 3; i += 1) await limiter.wait();
  assert.equal(limiter.throttled, 0);
  // The fourth must wait for a token: advance the clock from outside while it sleeps.
  const fourth = limiter.wait();
  const ticker = setInterval(() => (now += 5), 1);
  await fourth;
  clearInterval(ticker);
  assert.equal(limiter.throttled, 1);
  assert.ok(now >= 10, `a token comes every 10 ms at 100 qps (clock at ${now})`);
});

test('qps 0 means no limit', async () => {
  const limiter = new RequestLimiter({ qps: 0, burst: 0 }, () => 0);
  for (let i = 0; i < 1000; i += 1) await limiter.wait();
  assert.equal(limiter.throttled, 0);
});
