// The Events an ImageSpecJob reconcile tells, decided from transitions only: the status in the
// cache against the status just computed, so a reconcile that changes nothing tells nothing.
import { isDeepStrictEqual } from 'node:util';
import { Reasons, type ImageSpecJob, type ImageSpecJobStatus } from '../../api/types.ts';
import { firstLine, type ObjectEvent } from '../runtime/eventbody.ts';

/** The event a status stands for, if any. */
function eventOf(job: ImageSpecJob, status: ImageSpecJobStatus | undefined): ObjectEvent | undefined {
  switch (status?.phase) {
    case 'Pending':
      return status.podName ? { type: 'Normal', reason: 'PodCreated', action: 'CreatePod', note: `Created build Pod ${status.podName}` } : undefined;
    case 'Building':
      return { type: 'Normal', reason: Reasons.Building, action: 'Build', note: `Building ${job.spec.targetImage} in Pod ${status.podName ?? ''}`.trim() };
    case 'Succeeded':
      return { type: 'Normal', reason: Reasons.Succeeded, action: 'Build', note: `Built ${status.image ?? ''}@${status.digest ?? ''}` };
    case 'Failed':
      return { type: 'Warning', reason: status.reason ?? Reasons.BuildFailed, action: 'Build', note: firstLine(status.message) };
    case 'Cancelled':
      return { type: 'Normal', reason: Reasons.Cancelled, action: 'Build', note: firstLine(status.message) };
    default:
      return undefined;
  }
}

/** The event of `next`, unless `previous` already stood for the same one. */
export function jobStatusEvents(job: ImageSpecJob, next: ImageSpecJobStatus): ObjectEvent[] {
  const after = eventOf(job, next);
  return after && !isDeepStrictEqual(eventOf(job, job.status), after) ? [after] : [];
}
