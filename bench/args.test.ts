import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_OPTIONS, parseBenchArgs } from './args.ts';

test('no arguments give the defaults', () => {
  assert.deepEqual(parseBenchArgs([]), DEFAULT_OPTIONS);
  assert.equal(DEFAULT_OPTIONS.n, 1000);
});

test('flags take their value as the next argument or after =', () => {
  const options = parseBenchArgs(['--n', '5000', '--edits=20', '--rest-seconds', '0', '--concurrency', '16']);
  assert.equal(options.n, 5000);
  assert.equal(options.edits, 20);
  assert.equal(options.restSeconds, 0);
  assert.equal(options.concurrency, 16);
  assert.equal(options.rate, DEFAULT_OPTIONS.rate);
});

test('unknown flags, missing values and bad numbers are refused', () => {
  assert.throws(() => parseBenchArgs(['--size', '5']), /unknown argument "--size"/);
  assert.throws(() => parseBenchArgs(['--n']), /--n needs a value/);
  assert.throws(() => parseBenchArgs(['--n', '0']), /--n must be a whole number of at least 1/);
  assert.throws(() => parseBenchArgs(['--n', '1.5']), /not "1.5"/);
  assert.throws(() => parseBenchArgs(['--concurrency', '-2']), /--concurrency must be/);
});
