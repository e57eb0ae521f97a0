import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Node } from '@kubernetes/client-node';
import { nodeHealth, nodeLostIn, nodeLostMessage, nodeNotReadyMessage } from './node-health.ts';

function node(status: string, lastTransitionTime = '2026-11-24T10:00:00Z'): V1Node {
  return {
    metadata: { name: 'worker-1' },
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'Ready', status, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: new Date(lastTransitionTime) },
      ],
    },
  };
}

test('the Ready condition says whether the node answers, and since when', () => {
  assert.deepEqual(nodeHealth(node('Unknown')), {
    name: 'worker-1',
    ready: false,
    since: '2026-11-24T10:00:00.000Z',
    reason: 'NodeStatusUnknown',
    message: 'Kubelet stopped posting node status.',
  });
  assert.equal(nodeHealth(node('True'))?.ready, true);
  assert.equal(nodeHealth(node('False'))?.ready, false);
  assert.equal(nodeHealth(undefined), undefined, 'an unknown node says nothing');
  assert.equal(nodeHealth({ metadata: { name: 'new' }, status: {} }), undefined, 'a node without a Ready condition says nothing');
});

test('a node not Ready is lost once the wait has passed, never when Ready, unknown or the wait is off', () => {
  const lost = nodeHealth(node('Unknown'));
  assert.equal(nodeLostIn(lost, 120, '2026-11-24T10:00:30Z'), 90_000);
  assert.equal(nodeLostIn(lost, 120, '2026-11-24T10:02:00Z'), 0);
  assert.equal(nodeLostIn(lost, 120, '2026-11-24T11:00:00Z'), 0);
  assert.equal(nodeLostIn(lost, 0, '2026-11-24T11:00:00Z'), undefined, '0 leaves it to Kubernetes');
  assert.equal(nodeLostIn(nodeHealth(node('True')), 120, '2026-11-24T11:00:00Z'), undefined);
  assert.equal(nodeLostIn(undefined, 120, '2026-11-24T11:00:00Z'), undefined);
});

test('the messages name the node, what it said, and what to do; the waiting one is stable', () => {
  const lost = nodeHealth(node('Unknown'))!;
  assert.equal(
    nodeNotReadyMessage(lost, 120),
    'The node worker-1 is not Ready (NodeStatusUnknown: Kubelet stopped posting node status.); the build ends NodeLost unless the node is Ready again by 2026-11-24T10:02:00Z',
  );
  assert.match(nodeLostMessage(lost, 'web-0123456789ab-build', 120), /^The node worker-1 running build Pod web-0123456789ab-build has not been Ready for 120 s \(NodeStatusUnknown/);
  assert.match(nodeLostMessage(lost, 'p', 120), /A new revision or spec\.updateTime builds again$/);
});
