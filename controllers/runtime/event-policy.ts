// Which Events reach the API server. Every Event is a write (and an object etcd keeps for an
// hour), and a Normal Event about a status transition repeats what the status already shows; the
// admin chooses (IMAGESPEC_EVENTS) between failures only, everything, or nothing.
import type { EventPolicy } from '../../config/types.ts';
import type { EventSubject, ObjectEvent } from './eventbody.ts';
import type { EventRecorder } from './events.ts';

export function isRecorded(policy: EventPolicy, event: ObjectEvent): boolean {
  if (policy === 'none') return false;
  return policy === 'all' || event.type === 'Warning';
}

/** The recorder seen through the policy; none at all when nothing is recorded. */
export function withEventPolicy(recorder: EventRecorder, policy: EventPolicy): EventRecorder | undefined {
  if (policy === 'none') return undefined;
  if (policy === 'all') return recorder;
  return {
    record: (subject: EventSubject, event: ObjectEvent) => {
      if (isRecorded(policy, event)) recorder.record(subject, event);
    },
    flush: () => recorder.flush(),
  };
}
