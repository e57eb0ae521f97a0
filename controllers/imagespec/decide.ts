// Pure decisions of the ImageSpec controller: from what is observed, which ImageSpecJob to
// create, which to cancel or prune, the status the ImageSpec should show, and the Events they tell.
import {
  ANNOTATION_CANCEL,
  ANNOTATION_CREATED_AT,
  ANNOTATION_REVISION,
  API_VERSION,
  IMAGESPECJOB_KIND,
  IMAGESPEC_KIND,
  LABEL_IMAGESPEC,
  LABEL_MANAGED_BY,
  LABEL_REVISION,
  MANAGED_BY,
  Reasons,
  type Condition,
  type ImageSpec,
  type ImageSpecJob,
  type DockerfileBuild,
  type ImageSpecStatus,
  type JobDockerfileBuild,
  type Packages,
  type PersistentVolumeClaimContext,
  type UrlContext,
} from '../../api/types.ts';
import type { RegistryConfig } from '../../config/types.ts';
import { jobName } from '../../api/names.ts';
import { controllerReference } from '../../api/owner-references.ts';
import { isTerminalPhase } from '../../api/phases.ts';
import { timestampText } from '../../api/time.ts';
import type { FieldError } from '../../api/validate.ts';
import { DEFAULT_DOCKERFILE, shortRevision } from '../../api/revision.ts';
import { escapeUnsafe } from '../../api/display.ts';
import { setCondition, type ConditionInput } from '../runtime/conditions.ts';
import type { ObjectEvent } from '../runtime/eventbody.ts';
import { imageSpecStatusEvents, revisionCreatedEvent, supersededEvent } from './events.ts';
import { buildTarget } from './buildtarget.ts';
import { outputTarget } from './output.ts';

/** A context source that does not exist in the ImageSpec's namespace, and the field naming it. */
export interface MissingContext {
  kind: 'ConfigMap' | 'PersistentVolumeClaim';
  name: string;
  field: string;
}

export interface ImageSpecObservation {
  imageSpec: ImageSpec;
  /** Problems found by validation; empty when the spec is valid. */
  problems: FieldError[];
  /** spec.env entries naming a variable the admin does not allow, and a spec.output.image outside the allowed places. */
  envRefused: FieldError[];
  outputRefused?: FieldError[];
  /** Revision of the (valid) spec. */
  revision: string;
  packages: Required<Packages>;
  registry?: RegistryConfig;
  /** True when spec.pullSecret names a Secret that does not exist (only checked before creating a job). */
  pullSecretMissing: boolean;
  /** The same for spec.output.pushSecret. */
  pushSecretMissing?: boolean;
  /** spec.build.context uses a source the admin turned off (IMAGESPEC_BUILD_CONTEXT_SOURCES). */
  contextRefused?: FieldError[];
  /**
   * What the controller read of spec.build.context: the ConfigMap's content digest (in the
   * revision and the job), the claim (checked to exist before its job is created), or that the
   * source was not found (no job is created then).
   */
  context?:
    | { configMap: { name: string; sha256: string } }
    | { persistentVolumeClaim: PersistentVolumeClaimContext }
    | { url: UrlContext }
    | { missing: MissingContext };
  /** ImageSpecJobs controlled by this ImageSpec. */
  jobs: ImageSpecJob[];
  historySucceeded: number;
  historyFailed: number;
  now: string;
}

export interface ImageSpecDecision {
  createJob?: ImageSpecJob;
  /** To record once this reconcile created `createJob` (not when it turned out to exist). */
  createdEvent?: ObjectEvent;
  /** Jobs of older revisions still running: mark them cancelled with this message, then record the event. */
  cancel: Array<{ job: ImageSpecJob; message: string; event: ObjectEvent }>;
  /** Finished jobs beyond the history limits. */
  prune: ImageSpecJob[];
  status: ImageSpecStatus;
  /** What the change from the cached status to `status` tells; to record once the status is written. */
  statusEvents: ObjectEvent[];
}

/** Status messages stay far below the CRD's limit, however many problems a spec has. */
export const MAX_MESSAGE_LENGTH = 4096;

function truncate(message: string): string {
  return message.length <= MAX_MESSAGE_LENGTH ? message : `${message.slice(0, MAX_MESSAGE_LENGTH - 20)}... (truncated)`;
}

export function isTerminal(job: ImageSpecJob): boolean {
  return isTerminalPhase(job.status?.phase);
}

function createdAt(job: ImageSpecJob): string {
  return job.metadata.annotations?.[ANNOTATION_CREATED_AT] ?? timestampText(job.metadata.creationTimestamp);
}

/** Newest first; the name breaks ties so the order is deterministic. */
function newestFirst(a: ImageSpecJob, b: ImageSpecJob): number {
  const byTime = createdAt(b).localeCompare(createdAt(a));
  return byTime !== 0 ? byTime : (b.metadata.name ?? '').localeCompare(a.metadata.name ?? '');
}

/** The job of the observed revision; `registry` is needed unless the ImageSpec has an output of its own. */
export function desiredJob(observation: ImageSpecObservation, registry: RegistryConfig | undefined): ImageSpecJob {
  const { imageSpec, revision, packages } = observation;
  const name = imageSpec.metadata.name!;
  const spec = imageSpec.spec;
  return {
    apiVersion: API_VERSION,
    kind: IMAGESPECJOB_KIND,
    metadata: {
      name: jobName(name, revision),
      namespace: imageSpec.metadata.namespace,
      labels: {
        [LABEL_IMAGESPEC]: name,
        [LABEL_REVISION]: shortRevision(revision),
        [LABEL_MANAGED_BY]: MANAGED_BY,
      },
      annotations: { [ANNOTATION_REVISION]: revision, [ANNOTATION_CREATED_AT]: observation.now },
      ownerReferences: [controllerReference(IMAGESPEC_KIND, imageSpec)],
    },
    spec: {
      imageSpecName: name,
      revision,
      ...(spec.build ? { build: jobBuild(spec.build, observation.context) } : { baseImage: (spec.baseImage ?? '').trim() }),
      ...(spec.pullSecret ? { pullSecret: spec.pullSecret } : {}),
      packages,
      ...(spec.updateTime ? { updateTime: spec.updateTime } : {}),
      ...(spec.buildArgs && spec.buildArgs.length > 0 ? { buildArgs: spec.buildArgs.map(({ name, value }) => ({ name, value })) } : {}),
      ...(spec.env && spec.env.length > 0 ? { env: spec.env.map(({ name, value }) => ({ name, value })) } : {}),
      ...(spec.output ? { targetImage: outputTarget(spec.output, revision) } : buildTarget(registry!, { namespace: imageSpec.metadata.namespace!, imageSpecName: name, revision })),
    },
  };
}

/** spec.build as the job snapshots it: the context's content digest read for this revision. */
function jobBuild(build: DockerfileBuild, context: ImageSpecObservation['context']): JobDockerfileBuild {
  if (!context || 'missing' in context) throw new Error('A job of a Dockerfile build needs what was read of its context');
  const target = build.target?.trim();
  return { context, dockerfile: build.dockerfile?.trim() || DEFAULT_DOCKERFILE, ...(target ? { target } : {}) };
}

function pruneList(jobs: ImageSpecJob[], current: ImageSpecJob | undefined, keepSucceeded: number, keepFailed: number): ImageSpecJob[] {
  const finished = jobs.filter((job) => job !== current && isTerminal(job)).sort(newestFirst);
  const succeeded = finished.filter((job) => job.status?.phase === 'Succeeded');
  const failed = finished.filter((job) => job.status?.phase !== 'Succeeded');
  return [...succeeded.slice(keepSucceeded), ...failed.slice(keepFailed)];
}

/** The image users can rely on: the newest successful build (current revision first). */
function lastGoodBuild(jobs: ImageSpecJob[], current: ImageSpecJob | undefined): ImageSpecJob | undefined {
  if (current?.status?.phase === 'Succeeded') return current;
  return jobs
    .filter((job) => job.status?.phase === 'Succeeded' && job.status.image)
    .sort((a, b) => timestampText(b.status?.completionTime).localeCompare(timestampText(a.status?.completionTime)))[0];
}

/** A job's message as the ImageSpec shows it: its lines kept, any other control or bidirectional character escaped. */
function jobMessage(status: ImageSpecJob['status']): string | undefined {
  return status?.message === undefined ? undefined : escapeUnsafe(status.message, { keepNewlines: true });
}

function readyFromJob(job: ImageSpecJob | undefined, revision: string): { phase: ImageSpecStatus['phase']; ready: Omit<ConditionInput, 'type' | 'observedGeneration'> } {
  const short = shortRevision(revision);
  const phase = job?.status?.phase ?? 'Pending';
  const status = job?.status;
  switch (phase) {
    case 'Succeeded':
      return { phase, ready: { status: 'True', reason: Reasons.Succeeded, message: `Revision ${short} built: ${status?.image ?? ''}@${status?.digest ?? ''}` } };
    case 'Failed':
      return { phase, ready: { status: 'False', reason: status?.reason ?? Reasons.BuildFailed, message: jobMessage(status) ?? `Revision ${short} failed` } };
    case 'Cancelled':
      return { phase, ready: { status: 'False', reason: status?.reason ?? Reasons.Cancelled, message: jobMessage(status) ?? `Revision ${short} was cancelled` } };
    case 'Building':
      return { phase, ready: { status: 'Unknown', reason: Reasons.Building, message: `Building revision ${short} in Pod ${status?.podName ?? ''}`.trim() } };
    default:
      return { phase: 'Pending', ready: { status: 'Unknown', reason: Reasons.Pending, message: jobMessage(status) ?? `Revision ${short} is waiting to build` } };
  }
}

function withReady(
  observation: ImageSpecObservation,
  base: ImageSpecStatus,
  ready: Omit<ConditionInput, 'type' | 'observedGeneration'>,
): ImageSpecStatus {
  const generation = observation.imageSpec.metadata.generation;
  const condition: ConditionInput = { type: 'Ready', ...ready, ...(generation !== undefined ? { observedGeneration: generation } : {}) };
  const conditions: Condition[] = setCondition(observation.imageSpec.status?.conditions, condition, observation.now);
  return {
    ...base,
    conditions,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    message: ready.message,
  };
}

export function decideImageSpec(observation: ImageSpecObservation): ImageSpecDecision {
  const decision = decideWrites(observation);
  return {
    ...decision,
    ...(decision.createJob ? { createdEvent: revisionCreatedEvent(decision.createJob) } : {}),
    statusEvents: imageSpecStatusEvents(observation.imageSpec.status, decision.status),
  };
}

function decideWrites(observation: ImageSpecObservation): Omit<ImageSpecDecision, 'createdEvent' | 'statusEvents'> {
  const { imageSpec, jobs, revision } = observation;
  const previous = imageSpec.status ?? {};
  const keepImage = { image: previous.image, digest: previous.digest };
  const nothing = { cancel: [], prune: [] };

  if (observation.problems.length > 0) {
    // Problems quote the user's values: no control or bidirectional character reaches the status.
    const message = truncate(escapeUnsafe(observation.problems.map((p) => `${p.path}: ${p.message}`).join('; ')));
    const status = withReady(observation, { ...strip(previous), phase: 'Failed', ...keepImage }, { status: 'False', reason: Reasons.InvalidSpec, message });
    return { ...nothing, status };
  }
  for (const [refused, reason] of [
    [observation.envRefused, Reasons.EnvNotAllowed],
    [observation.outputRefused ?? [], Reasons.OutputNotAllowed],
    [observation.contextRefused ?? [], Reasons.ContextSourceNotAllowed],
  ] as const) {
    if (refused.length === 0) continue;
    const message = truncate(escapeUnsafe(refused.map((p) => `${p.path}: ${p.message}`).join('; ')));
    const status = withReady(observation, { ...strip(previous), phase: 'Failed', ...keepImage }, { status: 'False', reason, message });
    return { ...nothing, status };
  }

  if (observation.context && 'missing' in observation.context) {
    // Without the context there is no job (and for a ConfigMap no revision): the last ones stay shown.
    const { kind, name, field } = observation.context.missing;
    const message = `${kind} "${name}" (${field}) was not found in namespace ${imageSpec.metadata.namespace}`;
    return { ...nothing, status: withReady(observation, { ...strip(previous), phase: 'Pending', ...keepImage }, { status: 'False', reason: Reasons.ContextNotFound, message }) };
  }

  const current = jobs.find((job) => job.spec.revision === revision);
  const good = lastGoodBuild(jobs, current);
  const image = good ? { image: good.status?.image, digest: good.status?.digest } : keepImage;
  const base: ImageSpecStatus = { ...strip(previous), revision, ...image };

  if (!current && !observation.registry && !imageSpec.spec.output) {
    const message = 'No registry is configured: the admin must set IMAGESPEC_REGISTRY_ENDPOINT (see .env.example)';
    return { ...nothing, status: withReady(observation, { ...base, phase: 'Pending' }, { status: 'False', reason: Reasons.RegistryNotConfigured, message }) };
  }
  if (!current && observation.pullSecretMissing) {
    const message = `Secret "${imageSpec.spec.pullSecret}" (spec.pullSecret) was not found in namespace ${imageSpec.metadata.namespace}`;
    return { ...nothing, status: withReady(observation, { ...base, phase: 'Pending' }, { status: 'False', reason: Reasons.PullSecretNotFound, message }) };
  }

  if (!current && observation.pushSecretMissing) {
    const message = `Secret "${imageSpec.spec.output?.pushSecret}" (spec.output.pushSecret) was not found in namespace ${imageSpec.metadata.namespace}`;
    return { ...nothing, status: withReady(observation, { ...base, phase: 'Pending' }, { status: 'False', reason: Reasons.PushSecretNotFound, message }) };
  }

  const createJob = current ? undefined : desiredJob(observation, observation.registry);
  const currentName = current?.metadata.name ?? createJob?.metadata.name;
  const short = shortRevision(revision);
  const cancel = jobs
    .filter((job) => job !== current && !isTerminal(job) && !job.metadata.annotations?.[ANNOTATION_CANCEL])
    .map((job) => {
      const message = `Superseded by revision ${short} (ImageSpecJob ${currentName})`;
      return { job, message, event: supersededEvent(job, message) };
    });
  const prune = pruneList(jobs, current, observation.historySucceeded, observation.historyFailed);
  if (!current?.status?.phase) {
    // The job was just created, or has not reported yet: its first status (moments away, from the
    // Pod's creation) re-queues this ImageSpec, and writing Pending now would only be rewritten then.
    return { ...(createJob ? { createJob } : {}), cancel, prune, status: previous };
  }
  const { phase, ready } = readyFromJob(current, revision);
  const status = withReady(observation, { ...base, phase, jobName: currentName }, ready);
  return { ...(createJob ? { createJob } : {}), cancel, prune, status };
}

/** Drops fields recomputed every time, so stale ones never linger. */
function strip(status: ImageSpecStatus): ImageSpecStatus {
  const { conditions: _c, message: _m, phase: _p, ...rest } = status;
  return rest;
}
