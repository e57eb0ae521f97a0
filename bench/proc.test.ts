import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuTicks, rssKiB } from './proc.ts';

test('cpuTicks adds utime and stime, even when the name holds spaces and parentheses', () => {
  const stat = '4242 (node (main) x) S 1 4242 4242 0 -1 4194560 12000 0 3 0 731 129 0 0 20 0 11 0 123456 1000000 25000 18446744073709551615';
  assert.equal(cpuTicks(stat), 731 + 129);
});

test('cpuTicks refuses a line it cannot read', () => {
  assert.throws(() => cpuTicks('garbage'), /unexpected/);
});

test('rssKiB reads VmRSS', () => {
  assert.equal(rssKiB('Name:\tnode\nVmPeak:\t 9000 kB\nVmRSS:\t  153600 kB\nThreads:\t11\n'), 153600);
  assert.throws(() => rssKiB('Name:\tzombie\n'), /no VmRSS/);
});
