import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { unscheduledDeadlineIn, unscheduledMessage } from './unscheduled.ts';

const created = '2026-11-25T10:00:00Z';
function pending(fields: { nodeName?: string; phase?: string; deadline?: number } = {}): V1Pod {
  return {
    metadata: { name: 'b-pod', creationTimestamp: created as unknown as Date },
    spec: { containers: [], ...(fields.nodeName ? { nodeName: fields.nodeName } : {}), ...(fields.deadline === 0 ? {} : { activeDeadlineSeconds: fields.deadline ?? 1800 }) },
    status: {
      phase: fields.phase ?? 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 node(s) didn\'t match Pod\'s node affinity/selector.' }],
    },
  };
}

test('an unscheduled Pod has until its build deadline, counted from its creation', () => {
  assert.equal(unscheduledDeadlineIn(pending(), '2026-11-25T10:10:00Z'), 20 * 60_000);
  assert.equal(unscheduledDeadlineIn(pending(), '2026-11-25T10:30:00Z'), 0);
  assert.equal(unscheduledDeadlineIn(pending(), '2026-11-25T11:00:00Z'), 0);
  // The typed client gives a Date.
  const typed = pending();
  typed.metadata!.creationTimestamp = new Date(created);
  assert.equal(unscheduledDeadlineIn(typed, '2026-11-25T10:29:59Z'), 1000);
});

test('a Pod on a node, a finished Pod, and a Pod without a deadline are left to the kubelet', () => {
  assert.equal(unscheduledDeadlineIn(pending({ nodeName: 'node-1' }), '2026-11-25T11:00:00Z'), undefined);
  assert.equal(unscheduledDeadlineIn(pending({ phase: 'Failed' }), '2026-11-25T11:00:00Z'), undefined);
  assert.equal(unscheduledDeadlineIn(pending({ deadline: 0 }), '2026-11-25T11:00:00Z'), undefined);
});

test('the message names the deadline and quotes the scheduler', () => {
  assert.equal(
    unscheduledMessage(pending()),
    'The build Pod b-pod was not scheduled within the build deadline of 1800s (Unschedulable: 0/1 nodes are available: 1 node(s) didn\'t match Pod\'s node affinity/selector.); it was deleted. A new revision or spec.updateTime builds again',
  );
});
