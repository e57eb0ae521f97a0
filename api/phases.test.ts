import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PHASES, isTerminalPhase } from './phases.ts';

test('a build is over once Succeeded, Failed or Cancelled, and not before', () => {
  assert.deepEqual(PHASES.filter((phase) => isTerminalPhase(phase)), ['Succeeded', 'Failed', 'Cancelled']);
  assert.equal(isTerminalPhase(undefined), false);
  assert.equal(isTerminalPhase('Unknown'), false);
});
