// Whether an upload may be pushed: the decision, from plain data, for the upload endpoint.
//
// The caller proves who it is with a service account token whose audience is the upload endpoint's
// and which the API server bound to a Pod (TokenReview reports the Pod's name and UID). An upload is
// accepted only from the running push step of the build Pod of an ImageSpecJob the controller
// trusts (trust.ts), and it goes only to the target the configuration derives for that job. A
// tenant who reads the token of their own build Pod can therefore push nothing but that one
// revision of their own image, and no one else's.
import type { V1Pod } from '@kubernetes/client-node';
import { podName } from '../../api/names.ts';
import { controllerOf } from '../../api/owner-references.ts';
import { isTerminalPhase } from '../../api/phases.ts';
import { ANNOTATION_CANCEL, type ImageSpec, type ImageSpecJob } from '../../api/types.ts';
import type { RegistryConfig } from '../../config/types.ts';
import type { BuildTarget } from '../imagespec/buildtarget.ts';
import { PUSH_CONTAINER, UPLOAD_TOKEN_AUDIENCE } from '../imagespecjob/pod.ts';
import { trustJob, type Trust } from '../imagespecjob/trust.ts';
import type { UploadRoute } from './route.ts';

/** What the API server's TokenReview said about the caller's token. */
export interface TokenIdentity {
  authenticated: boolean;
  username?: string;
  audiences?: string[];
  /** From the token's Pod binding (user.extra authentication.kubernetes.io/pod-name and pod-uid). */
  podName?: string;
  podUid?: string;
}

export interface UploadObservation {
  route: UploadRoute;
  identity: TokenIdentity;
  /** The namespaces the controller serves; empty: all. */
  namespaces: readonly string[];
  registry: RegistryConfig | undefined;
  outputAllowed: readonly string[];
  job: ImageSpecJob | undefined;
  /** The ImageSpec the job's controller reference names, if it exists. */
  owner: ImageSpec | undefined;
  /** The Pod named after the job, if it exists. */
  pod: V1Pod | undefined;
}

type Refusal = { allowed: false; status: 401 | 403 | 404 | 409 | 503; message: string; pushStepStarting?: true };
type Trusted = Extract<Trust, { trusted: true }>;

/** The job whose context the caller may have: it passed every check of the caller. */
export type ContextDecision = { allowed: true; job: ImageSpecJob } | Refusal;

export type UploadDecision =
  | { allowed: true; target: BuildTarget; tenantOutput?: { pushSecret?: string } }
  | Refusal;

function refuse(status: 401 | 403 | 404 | 409, message: string): Refusal {
  return { allowed: false, status, message };
}

/** The namespace of a service account's username, system:serviceaccount:<namespace>:<name>. */
export function serviceAccountNamespace(username: string | undefined): string | undefined {
  return /^system:serviceaccount:([^:]+):[^:]+$/.exec(username ?? '')?.[1];
}

/**
 * The push step as the API server last heard of it. The kubelet reports a container running a
 * moment after it starts (its next status sync), so an upload can arrive while the status still
 * says waiting: that is "starting", worth waiting for, unlike a step that has ended.
 */
function pushStepState(pod: V1Pod): 'running' | 'starting' | 'ended' {
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 'ended';
  const state = pod.status?.containerStatuses?.find((status) => status.name === PUSH_CONTAINER)?.state;
  if (state?.running) return 'running';
  return state?.terminated ? 'ended' : 'starting';
}


/**
 * Who may act for the job: a Pod token for the endpoint, from the job's namespace, of the job's own
 * build Pod, for a job the controller trusts that is neither finished nor cancelled. Refusals name
 * the job and what is wrong, never the token or a Secret; a caller who is not the job's build Pod
 * learns only that it is not, not whether the job exists (404 only once the token is known to come
 * from a Pod of the job's namespace).
 */
function authorizeCaller(observation: UploadObservation, purpose: { doing: string; over: string }): Refusal | { trust: Trusted; pod: V1Pod } {
  const { doing } = purpose;
  const { route, identity, job, pod } = observation;
  const which = `ImageSpecJob ${route.namespace}/${route.name}`;
  if (!identity.authenticated || !(identity.audiences ?? []).includes(UPLOAD_TOKEN_AUDIENCE)) {
    return refuse(401, `The API server did not accept the upload token for the audience ${UPLOAD_TOKEN_AUDIENCE}`);
  }
  if (serviceAccountNamespace(identity.username) !== route.namespace || !identity.podUid) {
    return refuse(403, `Only the build Pod of ${which} may ${doing}: the token is not a Pod's token from namespace ${route.namespace}`);
  }
  if (observation.namespaces.length > 0 && !observation.namespaces.includes(route.namespace)) {
    return refuse(404, `The controller does not serve namespace ${route.namespace}`);
  }
  if (!job) return refuse(404, `${which} does not exist`);
  const trust = trustJob({ job, owner: observation.owner, registry: observation.registry, outputAllowed: observation.outputAllowed });
  if (!trust.trusted) return refuse(403, `${which} is not built by the controller: ${trust.message}`);
  const owned = pod && controllerOf(pod.metadata)?.uid === job.metadata.uid && pod.metadata?.name === podName(job.metadata.name!);
  if (!pod || !owned || pod.metadata?.uid !== identity.podUid || identity.podName !== pod.metadata?.name) {
    return refuse(403, `Only the build Pod of ${which} may ${doing}: the token belongs to another Pod`);
  }
  if (isTerminalPhase(job.status?.phase) || job.metadata.annotations?.[ANNOTATION_CANCEL]) {
    return refuse(409, `${which} is finished or cancelled: ${purpose.over}`);
  }
  return { trust, pod };
}

/** Whether an upload may be pushed: the caller as above, while the Pod's push step runs. */
export function authorizeUpload(observation: UploadObservation): UploadDecision {
  const caller = authorizeCaller(observation, { doing: 'upload its image', over: 'its image is no longer accepted' });
  if ('allowed' in caller) return caller;
  const which = `ImageSpecJob ${observation.route.namespace}/${observation.route.name}`;
  const push = pushStepState(caller.pod);
  if (push === 'ended') return refuse(409, `The push step of ${which} is not running: its image is no longer accepted`);
  if (push === 'starting') {
    return { allowed: false, status: 503, message: `The push step of ${which} is not reported running yet; try again shortly`, pushStepStarting: true };
  }
  const { trust } = caller;
  return { allowed: true, target: trust.target, ...(trust.tenantOutput ? { tenantOutput: trust.tenantOutput } : {}) };
}

/**
 * Whether the build context may be given: the caller as above, at any step. It holds no credential,
 * but it holds the job's package lists and, for a Dockerfile build, its ConfigMap's files: the token
 * check keeps them to the job's own build Pod, and so to its namespace.
 */
export function authorizeContext(observation: UploadObservation): ContextDecision {
  const caller = authorizeCaller(observation, { doing: 'fetch its build context', over: 'its build context is no longer given out' });
  if ('allowed' in caller) return caller;
  return { allowed: true, job: observation.job! };
}
