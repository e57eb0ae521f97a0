// The integration suite's stand-in for a kubelet (it has no node; the real one is e2e/node/kubelet.ts):
// Pod statuses shaped exactly as a kubelet reports them, and the write that reports them.
import type { V1ContainerStatus, V1PodStatus } from '@kubernetes/client-node';
import { mergePatch, type Kube } from './harness.ts';

/** Writes a Pod's status the way a kubelet reports it. */
export async function setPodStatus(kube: Kube, namespace: string, name: string, status: V1PodStatus): Promise<void> {
  await kube.core.patchNamespacedPodStatus({ namespace, name, body: { status } }, mergePatch());
}

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

/** The build step completed, then the push step ended as `push` says. */
function pushEnded(phase: 'Succeeded' | 'Failed', push: { exitCode: number; reason: string; message: string }): V1PodStatus {
  return {
    phase,
    startTime: at(-10) as never,
    initContainerStatuses: [
      container('build', { terminated: { exitCode: 0, reason: 'Completed', startedAt: at(-9) as never, finishedAt: at(-3) as never } }),
    ],
    containerStatuses: [container('push', { terminated: { ...push, startedAt: at(-2) as never, finishedAt: at(-1) as never } })],
  };
}

export function succeeded(digest: string): V1PodStatus {
  return pushEnded('Succeeded', { exitCode: 0, reason: 'Completed', message: `digest=${digest}\n` });
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
  return pushEnded('Failed', { exitCode: 1, reason: 'Error', message: `reason=PushFailed\n${tail}\n` });
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
