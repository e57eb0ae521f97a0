// Pure: what the observed build Pod says about the build. Reads what the kubelet reports (pod
// phase and reason, container states, termination messages written by build.sh and push.sh) and
// turns it into a phase, a reason from api/types.ts and a message a user can act on.
import { escapeUnsafe } from '../../api/display.ts';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { Phase } from '../../api/phases.ts';
import { kubernetesTime } from '../../api/time.ts';
import { Reasons, type Reason } from '../../api/types.ts';
import { BUILD_CONTAINER, PUSH_CONTAINER } from './pod.ts';
import { CONTEXT_CONTAINER } from './context-step.ts';
import { SOURCE_CONTAINER } from './source-step.ts';

/** A Pod cannot be cancelled: only its ImageSpecJob can. */
export type BuildPhase = Exclude<Phase, 'Cancelled'>;

export interface BuildObservation {
  phase: BuildPhase;
  /** Pending or Building while running, the failure reason at the end. */
  reason: Reason;
  message: string;
  /** sha256:... of the pushed manifest, when Succeeded. */
  digest?: string;
  /** RFC 3339. */
  startTime?: string;
  completionTime?: string;
}

/** Reasons build.sh may write; anything else it writes is reported as BuildFailed. */
const BUILD_STEP_REASONS: ReadonlySet<string> = new Set<Reason>([
  Reasons.BaseImagePullFailed,
  Reasons.DockerfileNotFound,
  Reasons.AptInstallFailed,
  Reasons.CondaInstallFailed,
  Reasons.PipInstallFailed,
  Reasons.BuildFailed,
]);

function isBuildStepReason(reason: string | undefined): reason is Reason {
  return reason !== undefined && BUILD_STEP_REASONS.has(reason);
}

/** What the download step of an archive context reports; anything else from it is a failed download. */
const SOURCE_STEP_REASONS: ReadonlySet<string> = new Set([
  Reasons.ArchiveDownloadFailed,
  Reasons.ArchiveTooLarge,
  Reasons.ArchiveDigestMismatch,
  Reasons.ArchiveUnpackFailed,
]);

function sourceStepReason(reason: string | undefined): Reason {
  return reason !== undefined && SOURCE_STEP_REASONS.has(reason) ? (reason as Reason) : Reasons.ArchiveDownloadFailed;
}

/** Waiting reasons after which the kubelet keeps retrying the pull (the registry may recover). */
const RETRIED_IMAGE_PULL = new Set(['ErrImagePull', 'ImagePullBackOff', 'RegistryUnavailable']);
/** Waiting reasons no retry can fix. */
const PERMANENT_IMAGE_PULL = new Set(['InvalidImageName', 'ErrImageNeverPull']);
/** A step waiting for these is on its way, not stuck. */
const STARTING = new Set(['PodInitializing', 'ContainerCreating']);

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** A Pod on its way with nothing to report; also what the job says the moment its Pod is created. */
export const POD_STARTING_MESSAGE = 'The build Pod is starting';
const MAX_DETAIL_LINES = 25;

function statusOf(pod: V1Pod, name: string): V1ContainerStatus | undefined {
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return all.find((status) => status.name === name);
}

function logsCommand(pod: V1Pod, container: string): string {
  return `kubectl logs -n ${pod.metadata?.namespace ?? 'default'} ${pod.metadata?.name ?? ''} -c ${container}`;
}

function withLogs(pod: V1Pod, container: string, text: string): string {
  return `${text}\nLogs: ${logsCommand(pod, container)}`;
}

function lastLines(text: string): string {
  return text.trimEnd().split('\n').slice(-MAX_DETAIL_LINES).join('\n');
}

/** A termination message as the scripts write it: reason=X, a summary line, the last output lines. */
function parseTerminationMessage(message: string | undefined): { reason?: string; summary?: string; details: string; values: Record<string, string> } {
  const lines = (message ?? '').replace(/\r/g, '').split('\n');
  const values: Record<string, string> = {};
  const first = lines[0] ?? '';
  const match = /^(reason|digest)=(\S+)$/.exec(first.trim());
  if (!match) return { details: lastLines(message ?? ''), values };
  values[match[1]!] = match[2]!;
  if (match[1] === 'digest') return { details: '', values };
  return { reason: match[2], summary: lines[1]?.trim() || undefined, details: lastLines(lines.slice(2).join('\n')), values };
}

function times(pod: V1Pod, terminal: boolean): Pick<BuildObservation, 'startTime' | 'completionTime'> {
  const startTime = kubernetesTime(pod.status?.startTime);
  if (!terminal) return startTime ? { startTime } : {};
  const finished = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
    .map((status) => kubernetesTime(status.state?.terminated?.finishedAt))
    .concat((pod.status?.conditions ?? []).map((condition) => kubernetesTime(condition.lastTransitionTime)))
    .filter((value): value is string => value !== undefined)
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  const completionTime = finished.at(-1);
  return { ...(startTime ? { startTime } : {}), ...(completionTime ? { completionTime } : {}) };
}

function failed(pod: V1Pod, reason: Reason, message: string): BuildObservation {
  return { phase: 'Failed', reason, message, ...times(pod, true) };
}

/** The step the Pod is at (or stopped at): context, build and push, each once the one before has succeeded. */
function currentStep(pod: V1Pod): string {
  const done = (container: string) => statusOf(pod, container)?.state?.terminated?.exitCode === 0;
  // From the spec, which a Pod has before any status; a Pod of an earlier version has no context
  // step, and its build step is the first.
  const hasStep = (name: string) => pod.spec?.initContainers?.some((container) => container.name === name) ?? false;
  if (hasStep(CONTEXT_CONTAINER) && !done(CONTEXT_CONTAINER)) return CONTEXT_CONTAINER;
  if (hasStep(SOURCE_CONTAINER) && !done(SOURCE_CONTAINER)) return SOURCE_CONTAINER;
  return done(BUILD_CONTAINER) ? PUSH_CONTAINER : BUILD_CONTAINER;
}

function memoryLimitOf(pod: V1Pod, container: string): string | undefined {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return all.find((c) => c.name === container)?.resources?.limits?.memory;
}

/** A container waiting on its image, with the image and the kubelet's words. */
function imagePullTrouble(pod: V1Pod, kinds: Set<string>): { container: string; text: string } | undefined {
  for (const status of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = status.state?.waiting;
    if (waiting?.reason && kinds.has(waiting.reason)) {
      const detail = waiting.message ? `: ${waiting.message}` : '';
      return { container: status.name, text: `Cannot pull the ${status.name} step's image ${status.image}: ${waiting.reason}${detail}` };
    }
  }
  return undefined;
}

function containerFailure(pod: V1Pod, container: string, status: V1ContainerStatus): BuildObservation {
  const terminated = status.state!.terminated!;
  if (terminated.reason === 'OOMKilled') {
    const limit = memoryLimitOf(pod, container);
    return failed(
      pod,
      Reasons.OOMKilled,
      withLogs(pod, container, `The ${container} step ran out of memory${limit ? ` (limit ${limit})` : ''} and was killed`),
    );
  }
  const parsed = parseTerminationMessage(terminated.message);
  const reason =
    container === CONTEXT_CONTAINER
      ? parsed.reason === Reasons.ContextChanged
        ? Reasons.ContextChanged
        : Reasons.ContextFetchFailed
      : container === SOURCE_CONTAINER
        ? sourceStepReason(parsed.reason)
        : container === BUILD_CONTAINER
        ? isBuildStepReason(parsed.reason)
          ? parsed.reason
          : Reasons.BuildFailed
        : Reasons.PushFailed;
  const summary =
    parsed.summary ??
    `The ${container} step failed with exit code ${terminated.exitCode}${terminated.reason && terminated.reason !== 'Error' ? ` (${terminated.reason})` : ''}`;
  const text = parsed.details ? `${summary}:\n${parsed.details}` : summary;
  return failed(pod, reason, withLogs(pod, container, text));
}

function podFailure(pod: V1Pod): BuildObservation {
  const step = currentStep(pod);
  const podReason = pod.status?.reason;
  if (podReason === 'DeadlineExceeded') {
    const pulling = imagePullTrouble(pod, RETRIED_IMAGE_PULL);
    if (pulling) return failed(pod, Reasons.BuilderImagePullFailed, `${pulling.text} (gave up at the build deadline)`);
    const deadline = pod.spec?.activeDeadlineSeconds;
    const text = `The build did not finish within its deadline${deadline ? ` of ${deadline}s` : ''}; it was stopped during the ${step} step`;
    return failed(pod, Reasons.DeadlineExceeded, withLogs(pod, step, text));
  }
  if (podReason === 'Evicted') {
    return failed(pod, Reasons.PodEvicted, withLogs(pod, step, `The build Pod was evicted: ${pod.status?.message ?? 'no reason given'}`));
  }

  const statuses = [CONTEXT_CONTAINER, SOURCE_CONTAINER, BUILD_CONTAINER, PUSH_CONTAINER].map((container) => statusOf(pod, container));
  const oom = statuses.find((status) => status?.state?.terminated?.reason === 'OOMKilled');
  if (oom) return containerFailure(pod, oom.name, oom);
  for (const status of statuses) {
    if (status?.state?.terminated && status.state.terminated.exitCode !== 0) return containerFailure(pod, status.name, status);
  }
  const detail = [podReason, pod.status?.message].filter(Boolean).join(': ');
  return failed(pod, Reasons.BuildFailed, withLogs(pod, step, `The build Pod failed${detail ? `: ${detail}` : ''}`));
}

function podSucceeded(pod: V1Pod): BuildObservation {
  const push = statusOf(pod, PUSH_CONTAINER)?.state?.terminated;
  const parsed = parseTerminationMessage(push?.message);
  const digest = parsed.values.digest;
  if (!digest || !DIGEST.test(digest)) {
    return failed(pod, Reasons.PushFailed, withLogs(pod, PUSH_CONTAINER, 'The push step finished without reporting the digest of the pushed image'));
  }
  return { phase: 'Succeeded', reason: Reasons.Succeeded, message: `Pushed the image (${digest})`, digest, ...times(pod, true) };
}

function podInProgress(pod: V1Pod): BuildObservation {
  const permanent = imagePullTrouble(pod, PERMANENT_IMAGE_PULL);
  if (permanent) return failed(pod, Reasons.BuilderImagePullFailed, permanent.text);

  const context = statusOf(pod, CONTEXT_CONTAINER)?.state;
  const source = statusOf(pod, SOURCE_CONTAINER)?.state;
  const build = statusOf(pod, BUILD_CONTAINER)?.state;
  const push = statusOf(pod, PUSH_CONTAINER)?.state;
  const inProgress = (message: string): BuildObservation => ({ phase: 'Building', reason: Reasons.Building, message, ...times(pod, false) });
  const waiting = (message: string): BuildObservation => ({ phase: 'Pending', reason: Reasons.Pending, message, ...times(pod, false) });

  const pulling = imagePullTrouble(pod, RETRIED_IMAGE_PULL);
  const retrying = pulling ? `${pulling.text} (retrying until the build deadline)` : undefined;
  if (pod.status?.phase === 'Unknown') return inProgress(`The node running the build Pod is not reachable (${pod.status.reason ?? 'Unknown'})`);
  if (push?.running) return inProgress(`Pushing the image; logs: ${logsCommand(pod, PUSH_CONTAINER)}`);
  if (build?.terminated?.exitCode === 0) return inProgress(`Built the image; ${retrying ?? 'starting the push step'}`);
  if (build?.running) return inProgress(`Building; logs: ${logsCommand(pod, BUILD_CONTAINER)}`);
  if (source?.running) return inProgress(`Downloading the build context archive; logs: ${logsCommand(pod, SOURCE_CONTAINER)}`);
  if (context?.running) return inProgress(`Fetching the build context from the controller; logs: ${logsCommand(pod, CONTEXT_CONTAINER)}`);
  if (retrying) return waiting(retrying);
  const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) return waiting(`The build Pod is not scheduled yet: ${unscheduled.message ?? unscheduled.reason ?? ''}`.trimEnd());
  const stuck = [context, source, build, push].find((state) => state?.waiting?.reason && !STARTING.has(state.waiting.reason))?.waiting;
  if (stuck?.reason) {
    return waiting(`The build Pod is waiting: ${stuck.reason}${stuck.message ? `: ${stuck.message}` : ''}`);
  }
  return waiting(POD_STARTING_MESSAGE);
}

export function observeBuildPod(pod: V1Pod | undefined): BuildObservation {
  if (!pod) return { phase: 'Pending', reason: Reasons.Pending, message: 'The build Pod does not exist yet' };
  const observed = pod.status?.phase === 'Succeeded' ? podSucceeded(pod) : pod.status?.phase === 'Failed' ? podFailure(pod) : podInProgress(pod);
  // Messages carry what the build printed (package names, a package manager's errors): control and
  // bidirectional characters become visible escapes before they reach a terminal or dashboard.
  return { ...observed, message: escapeUnsafe(observed.message, { keepNewlines: true }) };
}
