// Pod statuses shaped exactly as a kubelet reports them, for the integration suite, which has
// no node: the test plays the kubelet for the Pods the controller creates.
import type { V1ContainerStatus, V1PodStatus } from '@kubernetes/client-node';

const at = (offsetSeconds = 0) => new Date(Date.now() + offsetSeconds * 1000).toISOString();

function container(name: string, state: V1ContainerStatus['state']): V1ContainerStatus {
  return { name, image: `${name}-image`, imageID: '', ready: false, restartCount: 0, state };
}

export function running(): V1PodStatus {
  return {
    phase: 'Running',
    startTime: at(-2) as never,
    initContainerStatuses: [container('build', { running: { startedAt: at(-1) as never } })],
    containerStatuses: [container('push', { waiting: { reason: 'PodInitializing' } })],
  };
}

export function succeeded(digest: string): V1PodStatus {
  return {
    phase: 'Succeeded',
    startTime: at(-10) as never,
    initContainerStatuses: [
      container('build', { terminated: { exitCode: 0, reason: 'Completed', startedAt: at(-9) as never, finishedAt: at(-3) as never } }),
    ],
    containerStatuses: [
      container('push', {
        terminated: { exitCode: 0, reason: 'Completed', message: `digest=${digest}\n`, startedAt: at(-2) as never, finishedAt: at(-1) as never },
      }),
    ],
  };
}

/** The build step failed and wrote its reason to the termination log. */
export function buildStepFailed(reason: string, tail: string): V1PodStatus {
  return {
    phase: 'Failed',
    startTime: at(-10) as never,
    initContainerStatuses: [
      container('build', {
        terminated: { exitCode: 1, reason: 'Error', message: `reason=${reason}\n${tail}\n`, startedAt: at(-9) as never, finishedAt: at(-1) as never },
      }),
    ],
    containerStatuses: [container('push', { waiting: { reason: 'PodInitializing' } })],
  };
}

export function pushFailed(tail: string): V1PodStatus {
  return {
    phase: 'Failed',
    startTime: at(-10) as never,
    initContainerStatuses: [
      container('build', { terminated: { exitCode: 0, reason: 'Completed', startedAt: at(-9) as never, finishedAt: at(-3) as never } }),
    ],
    containerStatuses: [
      container('push', {
        terminated: { exitCode: 1, reason: 'Error', message: `reason=PushFailed\n${tail}\n`, startedAt: at(-2) as never, finishedAt: at(-1) as never },
      }),
    ],
  };
}

export function oomKilled(): V1PodStatus {
  return {
    phase: 'Failed',
    startTime: at(-10) as never,
    initContainerStatuses: [
      container('build', { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: at(-9) as never, finishedAt: at(-1) as never } }),
    ],
    containerStatuses: [container('push', { waiting: { reason: 'PodInitializing' } })],
  };
}

/** The kubelet killed the Pod itself: the Pod-level reason and message say why. */
function killedByKubelet(reason: string, message: string): V1PodStatus {
  return {
    phase: 'Failed',
    reason,
    message,
    startTime: at(-10) as never,
    initContainerStatuses: [
      container('build', { terminated: { exitCode: 137, reason: 'Error', startedAt: at(-9) as never, finishedAt: at(-1) as never } }),
    ],
    containerStatuses: [container('push', { waiting: { reason: 'PodInitializing' } })],
  };
}

export function deadlineExceeded(): V1PodStatus {
  return killedByKubelet('DeadlineExceeded', 'Pod was active on the node longer than the specified deadline');
}

export function evicted(): V1PodStatus {
  return killedByKubelet('Evicted', 'The node was low on resource: ephemeral-storage. Threshold quantity: 1Gi, available: 512Mi.');
}
