// Pure decisions of the ImageSpecJob controller: whether to create the build context and Pod,
// whether to delete the Pod (cancellation), the status the ImageSpecJob should show, and its Events.
import type { V1Pod } from '@kubernetes/client-node';
import { ANNOTATION_CANCEL, Reasons, type ImageSpecJob, type ImageSpecJobStatus, type Reason } from '../../api/types.ts';
import { podName } from '../../api/names.ts';
import { isTerminalPhase } from '../../api/phases.ts';
import { setCondition, type ConditionInput } from '../runtime/conditions.ts';
import type { ObjectEvent } from '../runtime/eventbody.ts';
import { jobStatusEvents } from './events.ts';
import { nodeLostIn, nodeLostMessage, nodeNotReadyMessage, type NodeHealth } from './node-health.ts';
import { unscheduledDeadlineIn, unscheduledMessage } from './unscheduled.ts';
import { observeBuildPod, POD_STARTING_MESSAGE } from './podstatus.ts';

export interface JobObservation {
  job: ImageSpecJob;
  /** The build Pod from the cache, if any. */
  pod?: V1Pod;
  /**
   * Set when the cache has no Pod although the status says one was created, and a live read
   * confirmed it is gone (true) or found it (false). Undefined: not checked.
   */
  podGone?: boolean;
  /**
   * Whether the registry already has the job's image, asked before building: its digest, or null
   * when it has none (or could not say). Undefined: not asked yet; `lookUpExisting` says whether to.
   */
  existingDigest?: string | null;
  lookUpExisting?: boolean;
  /** Set when the job fails the trust check (trust.ts): it is failed with this, and never built. */
  refusal?: { reason: Reason; message: string };
  /** The health of the node the Pod is bound to, when the Node is known. */
  node?: NodeHealth;
  /** A build whose node has not been Ready this long is ended NodeLost; 0: never (Kubernetes may evict it). */
  nodeLostSeconds?: number;
  now: string;
}

export interface JobDecision {
  /** Render the build context and create the Pod carrying it. */
  createPod: boolean;
  /** Delete the running build Pod (cancellation, or its node was lost). */
  deletePod: boolean;
  /** The cache and the status disagree about the Pod: read it live before deciding. */
  verifyPod: boolean;
  /** Ask the registry whether the image exists, then decide again with the answer. */
  lookUpImage: boolean;
  status: ImageSpecJobStatus;
  /** What the change from the cached status to `status` tells; to record once the status is written. */
  events: ObjectEvent[];
  /** Look again after this long even if nothing changes (the node may be declared lost by then). */
  recheckAfterMs?: number;
}

function succeededCondition(status: ImageSpecJobStatus, previous: ImageSpecJobStatus, now: string): ImageSpecJobStatus {
  const condition: ConditionInput =
    status.phase === 'Succeeded' && status.reason === Reasons.AlreadyBuilt
      ? { type: 'Succeeded', status: 'True', reason: Reasons.AlreadyBuilt, message: status.message ?? '' }
      : status.phase === 'Succeeded'
      ? { type: 'Succeeded', status: 'True', reason: Reasons.Succeeded, message: `Pushed ${status.image ?? ''}@${status.digest ?? ''}` }
      : status.phase === 'Failed' || status.phase === 'Cancelled'
        ? { type: 'Succeeded', status: 'False', reason: status.reason ?? Reasons.BuildFailed, message: status.message ?? '' }
        : { type: 'Succeeded', status: 'Unknown', reason: status.phase === 'Building' ? Reasons.Building : Reasons.Pending, message: status.message ?? '' };
  return { ...status, conditions: setCondition(previous.conditions, condition, now) };
}

function finish(job: ImageSpecJob, status: Omit<ImageSpecJobStatus, 'conditions'>, now: string): ImageSpecJobStatus {
  const previous = job.status ?? {};
  const { conditions: _c, ...kept } = previous;
  return succeededCondition({ ...kept, ...status }, previous, now);
}

/** A terminal failure found outside the Pod (e.g. the API server refused the Pod). */
export function failedStatus(job: ImageSpecJob, reason: Reason, message: string, now: string): ImageSpecJobStatus {
  return finish(job, { phase: 'Failed', reason, message, completionTime: now }, now);
}

/** The status and events of a build the API server refused, replacing the decision's. */
export function refusedBuild(job: ImageSpecJob, message: string, now: string): Pick<JobDecision, 'status' | 'events'> {
  const status = failedStatus(job, Reasons.BuildFailed, message, now);
  return { status, events: jobStatusEvents(job, status) };
}

const none = { createPod: false, deletePod: false, verifyPod: false, lookUpImage: false };

/** The sentence of a revision found in the registry. */
export function alreadyBuiltMessage(image: string, digest: string): string {
  return `The registry already has ${image}@${digest}, this revision's image: nothing was built (spec.updateTime builds it again)`;
}

export function decideJob(observation: JobObservation): JobDecision {
  const decision = decideWrites(observation);
  return { ...decision, events: jobStatusEvents(observation.job, decision.status) };
}

function decideWrites(observation: JobObservation): Omit<JobDecision, 'events'> {
  const { job, pod, now } = observation;
  const previous = job.status ?? {};
  const podIsDone = pod?.status?.phase === 'Succeeded' || pod?.status?.phase === 'Failed';

  if (isTerminalPhase(previous.phase)) {
    // A finished job keeps its status; a cancelled one, one whose node was lost, or one never
    // scheduled by its deadline must not leave its Pod behind (a Pod the kubelet ended is done).
    const abandoned = previous.phase === 'Cancelled' || previous.reason === Reasons.NodeLost || previous.reason === Reasons.DeadlineExceeded;
    const deletePod = abandoned && pod !== undefined && !podIsDone && !pod.metadata?.deletionTimestamp;
    return { ...none, deletePod, status: previous };
  }

  if (observation.refusal) {
    const { reason, message } = observation.refusal;
    return { ...none, status: finish(job, { phase: 'Failed', reason, message, completionTime: now }, now) };
  }

  const cancelMessage = job.metadata.annotations?.[ANNOTATION_CANCEL];
  if (cancelMessage !== undefined && !podIsDone) {
    return {
      ...none,
      deletePod: pod !== undefined && !pod.metadata?.deletionTimestamp,
      status: finish(job, { phase: 'Cancelled', reason: Reasons.Superseded, message: cancelMessage, completionTime: previous.completionTime ?? now }, now),
    };
  }

  if (!pod) {
    if (previous.podName) {
      if (observation.podGone === undefined) return { ...none, verifyPod: true, status: previous };
      if (observation.podGone) {
        const message = `Build Pod ${previous.podName} was deleted before the build finished`;
        return { ...none, status: finish(job, { phase: 'Failed', reason: Reasons.PodDeleted, message, completionTime: now }, now) };
      }
      return { ...none, status: previous }; // it exists: the cache will deliver it
    }
    // A revision is content-addressed: an image at its tag is its build (pushed before its job
    // was pruned, before its ImageSpec was recreated, or by another cluster sharing the registry).
    if (observation.existingDigest === undefined && observation.lookUpExisting) return { ...none, lookUpImage: true, status: previous };
    if (observation.existingDigest) {
      const image = job.spec.targetImage;
      const message = alreadyBuiltMessage(image, observation.existingDigest);
      return {
        ...none,
        status: finish(job, { phase: 'Succeeded', reason: Reasons.AlreadyBuilt, message, image, digest: observation.existingDigest, completionTime: now }, now),
      };
    }
    // Exactly what the new Pod will look like once observed, so its arrival writes nothing more.
    const name = podName(job.metadata.name!);
    return {
      ...none,
      createPod: true,
      status: finish(job, { phase: 'Pending', podName: name, reason: Reasons.Pending, message: POD_STARTING_MESSAGE }, now),
    };
  }

  // Someone else is deleting the Pod (the controller deletes only cancelled builds, handled above):
  // its containers are being stopped, and what they report now is the deletion, not the build.
  if (pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded') {
    const evicted = nodeEviction(pod);
    if (evicted) return { ...none, status: finish(job, { phase: 'Failed', reason: Reasons.NodeLost, message: evicted, completionTime: now }, now) };
    const message = `Build Pod ${pod.metadata.name} was deleted before the build finished; a new revision or spec.updateTime builds again`;
    return { ...none, status: finish(job, { phase: 'Failed', reason: Reasons.PodDeleted, message, completionTime: now }, now) };
  }

  // The node stopped answering: a build there cannot finish, and Kubernetes may never evict it.
  const lostIn = podIsDone ? undefined : nodeLostIn(observation.node, observation.nodeLostSeconds ?? 0, now);
  if (lostIn === 0 && observation.node) {
    const message = nodeLostMessage(observation.node, pod.metadata?.name ?? '', observation.nodeLostSeconds ?? 0);
    return { ...none, deletePod: true, status: finish(job, { phase: 'Failed', reason: Reasons.NodeLost, message, completionTime: now }, now) };
  }

  // No node took the Pod: its own deadline would only start on one.
  const unscheduledIn = podIsDone ? undefined : unscheduledDeadlineIn(pod, now);
  if (unscheduledIn === 0) {
    return { ...none, deletePod: true, status: finish(job, { phase: 'Failed', reason: Reasons.DeadlineExceeded, message: unscheduledMessage(pod), completionTime: now }, now) };
  }

  const observed = observeBuildPod(pod);
  const status: Omit<ImageSpecJobStatus, 'conditions'> = {
    phase: observed.phase,
    podName: pod.metadata?.name,
    ...(observed.startTime ? { startTime: observed.startTime } : {}),
    ...(observed.completionTime ? { completionTime: observed.completionTime } : {}),
    ...(observed.reason ? { reason: observed.reason } : {}),
    ...(observed.message ? { message: observed.message } : {}),
    ...(observed.phase === 'Succeeded' ? { image: job.spec.targetImage, digest: observed.digest } : {}),
    ...(lostIn !== undefined && observation.node ? { message: nodeNotReadyMessage(observation.node, observation.nodeLostSeconds ?? 0) } : {}),
  };
  const { reason: _r, message: _m, ...rest } = previous;
  // reason and message always describe the latest observation, never a stale one.
  const waits = [lostIn, unscheduledIn].filter((ms): ms is number => ms !== undefined);
  const recheck = waits.length > 0 ? { recheckAfterMs: Math.min(...waits) + NODE_RECHECK_SLACK_MS } : {};
  return { ...none, status: succeededCondition({ ...rest, ...status }, previous, now), ...recheck };
}

/** A recheck lands just past the moment the node counts as lost (or the deadline passes), never just before it. */
const NODE_RECHECK_SLACK_MS = 500;

/** The sentence for a Pod the taint manager deletes because its node is unreachable or not ready. */
function nodeEviction(pod: V1Pod): string | undefined {
  const disruption = pod.status?.conditions?.find((condition) => condition.type === 'DisruptionTarget' && condition.status === 'True');
  if (disruption?.reason !== 'DeletionByTaintManager') return undefined;
  const node = pod.spec?.nodeName ? `node ${pod.spec.nodeName}` : 'its node';
  return (
    `Build Pod ${pod.metadata?.name} was evicted because ${node} stopped being Ready (${disruption.message ?? disruption.reason}); ` +
    'a new revision or spec.updateTime builds again'
  );
}
