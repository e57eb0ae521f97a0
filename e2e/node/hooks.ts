// The node's side of e2e/cluster/node-hooks.ts: clusterUp({ node: true }) starts the node once
// the API server is ready, clusterDown stops it before the control plane.
import type { NodeHooks } from '../cluster/node-hooks.ts';
import { nodeDown, nodeUp } from './node.ts';

export const nodeHooks: NodeHooks = {
  async up(controlPlane) {
    await nodeUp({ log: controlPlane.log, binDir: controlPlane.binDir });
  },
  async down(controlPlane) {
    await nodeDown({ log: controlPlane.log });
  },
};
