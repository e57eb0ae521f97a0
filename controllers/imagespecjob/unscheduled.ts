// A build Pod the scheduler never places. Its activeDeadlineSeconds counts from the moment the
// kubelet starts it, so a Pod that no node can take (a claim bound to another node's volume, a node
// selector no node matches, too little CPU or memory anywhere) would wait, and keep its revision
// Pending, forever. The controller applies the build deadline from the Pod's creation instead. Pure.
import type { V1Pod } from '@kubernetes/client-node';

/**
 * How much longer the Pod may wait to be scheduled, in ms: 0 once its build deadline has passed
 * since it was created; undefined when it is on a node, finished, or has no deadline.
 */
export function unscheduledDeadlineIn(pod: V1Pod, now: string): number | undefined {
  const deadlineSeconds = pod.spec?.activeDeadlineSeconds;
  const created = pod.metadata?.creationTimestamp;
  if (pod.spec?.nodeName || pod.status?.phase !== 'Pending' || !deadlineSeconds || created === undefined) return undefined;
  const waitedMs = Date.parse(now) - new Date(created).getTime();
  if (Number.isNaN(waitedMs)) return undefined;
  return Math.max(0, deadlineSeconds * 1000 - waitedMs);
}

/** The sentence a user reads when their build was never scheduled, with the scheduler's own words. */
export function unscheduledMessage(pod: V1Pod): string {
  const scheduled = pod.status?.conditions?.find((condition) => condition.type === 'PodScheduled');
  const said = [scheduled?.reason, scheduled?.message].filter(Boolean).join(': ');
  return (
    `The build Pod ${pod.metadata?.name ?? ''} was not scheduled within the build deadline of ${pod.spec?.activeDeadlineSeconds ?? 0}s` +
    `${said ? ` (${said})` : ''}; it was deleted. A new revision or spec.updateTime builds again`
  );
}
