// The Events an ImageSpec reconcile tells, decided from transitions only: the status in the cache
// against the status just computed, so a reconcile that changes nothing tells nothing.
import { isDeepStrictEqual } from 'node:util';
import { Reasons, type ImageSpecJob, type ImageSpecStatus } from '../../api/types.ts';
import { shortRevision } from '../../api/revision.ts';
import { firstLine, type ObjectEvent } from '../runtime/eventbody.ts';
import { findCondition } from '../runtime/conditions.ts';

export function revisionCreatedEvent(job: ImageSpecJob): ObjectEvent {
  return {
    type: 'Normal',
    reason: 'RevisionCreated',
    action: 'CreateImageSpecJob',
    note: `Created ImageSpecJob ${job.metadata.name} for revision ${shortRevision(job.spec.revision)}`,
  };
}

export function supersededEvent(job: ImageSpecJob, message: string): ObjectEvent {
  return { type: 'Normal', reason: Reasons.Superseded, action: 'CancelImageSpecJob', note: `Cancelled ImageSpecJob ${job.metadata.name}: ${message}` };
}

/** The event a status stands for, if any (Pending tells nothing). */
function eventOf(status: ImageSpecStatus | undefined): ObjectEvent | undefined {
  const ready = findCondition(status?.conditions, 'Ready');
  if (!status || !ready) return undefined;
  switch (ready.reason) {
    case Reasons.InvalidSpec:
      return { type: 'Warning', reason: ready.reason, action: 'Validate', note: `Invalid spec: ${ready.message}` };
    case Reasons.PullSecretNotFound:
    case Reasons.RegistryNotConfigured:
      return { type: 'Warning', reason: ready.reason, action: 'CreateImageSpecJob', note: ready.message };
  }
  switch (status.phase) {
    case 'Building':
      return { type: 'Normal', reason: Reasons.Building, action: 'Build', note: ready.message };
    case 'Succeeded':
      return { type: 'Normal', reason: Reasons.Succeeded, action: 'Build', note: `Built ${status.image ?? ''}@${status.digest ?? ''}` };
    case 'Failed':
      return { type: 'Warning', reason: ready.reason, action: 'Build', note: firstLine(ready.message) };
    case 'Cancelled':
      return { type: 'Normal', reason: ready.reason, action: 'Build', note: firstLine(ready.message) };
    default:
      return undefined;
  }
}

/** The event of `next`, unless `previous` already stood for the same one about the same job. */
export function imageSpecStatusEvents(previous: ImageSpecStatus | undefined, next: ImageSpecStatus): ObjectEvent[] {
  const after = eventOf(next);
  if (!after) return [];
  const unchanged = previous?.jobName === next.jobName && isDeepStrictEqual(eventOf(previous), after);
  return unchanged ? [] : [after];
}
