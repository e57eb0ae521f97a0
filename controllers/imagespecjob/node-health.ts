// Whether the node a build Pod runs on still answers, from the Node's Ready condition.
//
// A kubelet that stops (the machine is off, the network is cut, the service crashed) stops
// reporting; after the controller manager's grace period (50 s by default) the Node's Ready
// condition turns Unknown. Kubernetes then evicts the node's Pods only after their toleration
// (300 s by default), and never when no node of the cluster is Ready (it assumes the control plane
// is the one cut off): a single-node cluster keeps such a Pod Running forever. A build on that node
// cannot finish (nothing would start its push step), so the controller ends it itself.
import type { V1Node } from '@kubernetes/client-node';

export interface NodeHealth {
  name: string;
  ready: boolean;
  /** When the Ready condition last changed: since then the node has been as `ready` says. */
  since?: string;
  /** The Ready condition's reason and message, e.g. NodeStatusUnknown, "Kubelet stopped posting node status." */
  reason?: string;
  message?: string;
}

/** The Node's health, or undefined when the Node is unknown or has no Ready condition yet. */
export function nodeHealth(node: V1Node | undefined): NodeHealth | undefined {
  const name = node?.metadata?.name;
  const ready = node?.status?.conditions?.find((condition) => condition.type === 'Ready');
  if (!name || !ready) return undefined;
  const since = ready.lastTransitionTime === undefined ? undefined : new Date(ready.lastTransitionTime).toISOString();
  return {
    name,
    ready: ready.status === 'True',
    ...(since ? { since } : {}),
    ...(ready.reason ? { reason: ready.reason } : {}),
    ...(ready.message ? { message: ready.message } : {}),
  };
}

/**
 * How much longer a build on this node may wait for it to be Ready again, in ms: 0 when the node
 * has been not Ready for `lostAfterSeconds` or more, undefined when it is Ready, unknown, or the
 * wait is off (`lostAfterSeconds` 0).
 */
export function nodeLostIn(health: NodeHealth | undefined, lostAfterSeconds: number, now: string): number | undefined {
  if (!health || health.ready || !health.since || lostAfterSeconds <= 0) return undefined;
  const notReadyMs = Date.parse(now) - Date.parse(health.since);
  return Math.max(0, lostAfterSeconds * 1000 - notReadyMs);
}

function whatTheNodeSaid(health: NodeHealth): string {
  const said = [health.reason, health.message].filter(Boolean).join(': ');
  return said ? ` (${said})` : '';
}

/** While the node may still come back: stable text (a deadline, not a countdown), so it is written once. */
export function nodeNotReadyMessage(health: NodeHealth, lostAfterSeconds: number): string {
  const deadline = new Date(Date.parse(health.since ?? '') + lostAfterSeconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  return `The node ${health.name} is not Ready${whatTheNodeSaid(health)}; the build ends NodeLost unless the node is Ready again by ${deadline}`;
}

/** The sentence a user reads in status when the node of their build was lost. */
export function nodeLostMessage(health: NodeHealth, podName: string, lostAfterSeconds: number): string {
  return (
    `The node ${health.name} running build Pod ${podName} has not been Ready for ${lostAfterSeconds} s${whatTheNodeSaid(health)}; ` +
    'the build was abandoned and its Pod deleted. A new revision or spec.updateTime builds again'
  );
}
