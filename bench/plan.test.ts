import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateImageSpec } from '../api/validate.ts';
import { benchSpec, imageSpecNames, spread, statusPlan, timestampName } from './plan.ts';

test('names are numbered with a fixed width, so they sort as created', () => {
  assert.deepEqual(imageSpecNames(3), ['spec-0', 'spec-1', 'spec-2']);
  const names = imageSpecNames(1000);
  assert.equal(names[7], 'spec-007');
  assert.deepEqual([...names].sort(), names);
});

test('spread picks names evenly over the whole range', () => {
  const names = imageSpecNames(10);
  assert.deepEqual(spread(names, 5), ['spec-0', 'spec-2', 'spec-4', 'spec-6', 'spec-8']);
  assert.deepEqual(spread(names, 20), names);
  assert.deepEqual(spread(names, 0), []);
});

test('the status plan times the requested numbers and finishes the rest untimed', () => {
  const names = imageSpecNames(1000);
  const plan = statusPlan(names, 200, 50);
  assert.equal(plan.succeed.length, 200);
  assert.equal(plan.fail.length, 50);
  assert.equal(plan.rest.length, 750);
  assert.equal(new Set([...plan.succeed, ...plan.fail, ...plan.rest]).size, 1000, 'each name in one group');
  assert.ok(names.indexOf(plan.fail.at(-1)!) > 900, 'failures are spread to the end');
});

test('at small sizes at most a fifth fail and every name may be timed', () => {
  const plan = statusPlan(imageSpecNames(50), 200, 50);
  assert.equal(plan.fail.length, 10);
  assert.equal(plan.succeed.length, 40);
  assert.deepEqual(plan.rest, []);
  assert.deepEqual(statusPlan(imageSpecNames(3), 200, 50).fail, []);
});

test('the specs, edited or not, are valid and differ by edit', () => {
  for (const spec of [benchSpec(), benchSpec(0), benchSpec(41)]) {
    const result = validateImageSpec({ apiVersion: 'imagespec.dev/v1alpha1', kind: 'ImageSpec', metadata: { name: 'x' }, spec });
    assert.ok(result.ok, JSON.stringify(result));
  }
  assert.notDeepEqual(benchSpec(1), benchSpec(2));
});

test('result files are named by the ISO 8601 basic time, without colons', () => {
  assert.equal(timestampName(new Date('2025-03-04T05:06:07.890Z')), '20250304T050607Z');
});
