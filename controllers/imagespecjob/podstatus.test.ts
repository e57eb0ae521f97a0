// Pod objects below are shaped as the kubelet reports them (field names, waiting/terminated
// reasons, termination messages), from a Pod with init container `build` and container `push`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1ContainerStatus, V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { observeBuildPod } from './podstatus.ts';

const NAMESPACE = 'team-a';
const POD = 'notebook-0123456789ab-build';
const BUILDAH = '127.0.0.1:5001/tools/buildah:1.28.2';
const SKOPEO = '127.0.0.1:5001/tools/skopeo:1.9.3';
const DIGEST = 'sha256:d3c558cfb445e0420a3a042a9e49ed43ebbec3b78d7f1af5ea393e3150512828';
const STARTED = '2026-11-23T10:00:00Z';

const podInitializing: V1ContainerStatus['state'] = { waiting: { reason: 'PodInitializing' } };
const running = (startedAt = '2026-11-23T10:00:05Z'): V1ContainerStatus['state'] => ({ running: { startedAt: startedAt as unknown as Date } });
const terminated = (exitCode: number, reason: string, finishedAt: string, message?: string): V1ContainerStatus['state'] => ({
  terminated: {
    exitCode,
    reason,
    startedAt: '2026-11-23T10:00:05Z' as unknown as Date,
    finishedAt: finishedAt as unknown as Date,
    containerID: 'containerd://4f2a',
    ...(message !== undefined ? { message } : {}),
  },
});

function container(name: 'build' | 'push', state: V1ContainerStatus['state'], extra: Partial<V1ContainerStatus> = {}): V1ContainerStatus {
  return {
    name,
    image: name === 'build' ? BUILDAH : SKOPEO,
    imageID: state?.waiting ? '' : `${name === 'build' ? BUILDAH : SKOPEO}@sha256:${'e'.repeat(64)}`,
    ready: false,
    restartCount: 0,
    started: Boolean(state?.running),
    state,
    ...extra,
  };
}

function pod(
  phase: string,
  build: V1ContainerStatus['state'] | undefined,
  push: V1ContainerStatus['state'] | undefined,
  extra: { reason?: string; message?: string; conditions?: V1PodCondition[] } = {},
): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: POD, namespace: NAMESPACE, uid: '9d1e' },
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: 1800,
      initContainers: [{ name: 'build', image: BUILDAH, resources: { limits: { memory: '4Gi' } } }],
      containers: [{ name: 'push', image: SKOPEO, resources: { limits: { memory: '4Gi' } } }],
    },
    status: {
      phase,
      ...(extra.reason ? { reason: extra.reason } : {}),
      ...(extra.message ? { message: extra.message } : {}),
      startTime: STARTED as unknown as Date,
      hostIP: '127.0.0.1',
      podIP: '127.0.0.1',
      qosClass: 'Burstable',
      conditions: extra.conditions ?? [],
      ...(build ? { initContainerStatuses: [container('build', build)] } : {}),
      ...(push ? { containerStatuses: [container('push', push)] } : {}),
    },
  };
}

const BUILD_LOGS = `Logs: kubectl logs -n ${NAMESPACE} ${POD} -c build`;
const PUSH_LOGS = `Logs: kubectl logs -n ${NAMESPACE} ${POD} -c push`;

describe('observeBuildPod while the build runs', () => {
  it('no Pod yet: Pending', () => {
    assert.deepEqual(observeBuildPod(undefined), { phase: 'Pending', reason: 'Pending', message: 'The build Pod does not exist yet' });
  });

  it('not scheduled: Pending with the scheduler\'s words', () => {
    const unscheduled = pod('Pending', undefined, undefined, {
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/1 nodes are available: 1 Insufficient ephemeral-storage.',
          lastTransitionTime: STARTED as unknown as Date,
        },
      ],
    });
    delete unscheduled.status!.startTime;
    const observed = observeBuildPod(unscheduled);
    assert.equal(observed.phase, 'Pending');
    assert.match(observed.message, /not scheduled yet: 0\/1 nodes are available: 1 Insufficient ephemeral-storage\./);
    assert.equal(observed.startTime, undefined);
  });

  it('pulling the builder image fails: stays Pending (the kubelet retries), saying why', () => {
    for (const [reason, message] of [
      ['ErrImagePull', `rpc error: code = NotFound desc = failed to pull and unpack image "${BUILDAH}": not found`],
      ['ImagePullBackOff', `Back-off pulling image "${BUILDAH}"`],
    ]) {
      const observed = observeBuildPod(pod('Pending', { waiting: { reason, message } }, podInitializing));
      assert.equal(observed.phase, 'Pending');
      assert.equal(observed.reason, 'Pending');
      assert.ok(observed.message.includes(`Cannot pull the build step's image ${BUILDAH}: ${reason}: ${message}`), observed.message);
    }
  });

  it('an invalid builder image name: Failed with BuilderImagePullFailed at once', () => {
    const observed = observeBuildPod(
      pod('Pending', { waiting: { reason: 'InvalidImageName', message: 'Failed to apply default image tag "Bad//x": invalid reference format' } }, podInitializing),
    );
    assert.equal(observed.phase, 'Failed');
    assert.equal(observed.reason, 'BuilderImagePullFailed');
    assert.match(observed.message, /InvalidImageName: Failed to apply default image tag/);
  });

  it('the build init container runs (the Pod phase is still Pending): Building', () => {
    const observed = observeBuildPod(pod('Pending', running(), podInitializing, {
      conditions: [{ type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [build]' }],
    }));
    assert.equal(observed.phase, 'Building');
    assert.equal(observed.reason, 'Building');
    assert.match(observed.message, /kubectl logs -n team-a notebook-0123456789ab-build -c build/);
    assert.equal(observed.startTime, STARTED);
    assert.equal(observed.completionTime, undefined);
  });

  it('the build finished and push is starting or running: Building', () => {
    const built = terminated(0, 'Completed', '2026-11-23T10:05:00Z');
    assert.equal(observeBuildPod(pod('Pending', built, podInitializing)).phase, 'Building');
    const pushing = observeBuildPod(pod('Running', built, running('2026-11-23T10:05:01Z')));
    assert.equal(pushing.phase, 'Building');
    assert.match(pushing.message, /Pushing.*-c push/);
  });

  it('the push step\'s image cannot be pulled after the build: still Building, saying why', () => {
    const observed = observeBuildPod(
      pod('Pending', terminated(0, 'Completed', '2026-11-23T10:05:00Z'), { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${SKOPEO}"` } }),
    );
    assert.equal(observed.phase, 'Building');
    assert.equal(observed.message, `Built the image; Cannot pull the push step's image ${SKOPEO}: ImagePullBackOff: Back-off pulling image "${SKOPEO}" (retrying until the build deadline)`);
  });

  it('a Pod waiting for its volumes: Pending', () => {
    const observed = observeBuildPod(pod('Pending', { waiting: { reason: 'PodInitializing' } }, podInitializing));
    assert.deepEqual([observed.phase, observed.message], ['Pending', 'The build Pod is starting']);
    const config = observeBuildPod(
      pod('Pending', { waiting: { reason: 'CreateContainerConfigError', message: 'secret "private-base" not found' } }, podInitializing),
    );
    assert.equal(config.phase, 'Pending');
    assert.match(config.message, /CreateContainerConfigError: secret "private-base" not found/);
  });

  it('the node is lost (phase Unknown): still Building, saying so', () => {
    const observed = observeBuildPod(pod('Unknown', running(), podInitializing, { reason: 'NodeLost' }));
    assert.equal(observed.phase, 'Building');
    assert.match(observed.message, /not reachable \(NodeLost\)/);
  });
});

describe('observeBuildPod when the build succeeded', () => {
  it('reads the digest from the push step\'s termination message', () => {
    const observed = observeBuildPod(
      pod('Succeeded', terminated(0, 'Completed', '2026-11-23T10:05:00Z'), terminated(0, 'Completed', '2026-11-23T10:05:30Z', `digest=${DIGEST}\n`)),
    );
    assert.deepEqual(observed, {
      phase: 'Succeeded',
      reason: 'Succeeded',
      message: `Pushed the image (${DIGEST})`,
      digest: DIGEST,
      startTime: STARTED,
      completionTime: '2026-11-23T10:05:30Z',
    });
  });

  it('accepts Date objects, as the typed client deserializes them', () => {
    const succeeded = pod('Succeeded', terminated(0, 'Completed', '2026-11-23T10:05:00Z'), {
      terminated: { exitCode: 0, reason: 'Completed', finishedAt: new Date('2026-11-23T10:05:30Z'), message: `digest=${DIGEST}` },
    });
    succeeded.status!.startTime = new Date(STARTED);
    const observed = observeBuildPod(succeeded);
    assert.equal(observed.startTime, STARTED);
    assert.equal(observed.completionTime, '2026-11-23T10:05:30Z');
  });

  it('no digest in the message: Failed with PushFailed', () => {
    for (const message of [undefined, '', 'digest=sha256:short', 'pushed\n']) {
      const observed = observeBuildPod(pod('Succeeded', terminated(0, 'Completed', '2026-11-23T10:05:00Z'), terminated(0, 'Completed', '2026-11-23T10:05:30Z', message)));
      assert.equal(observed.phase, 'Failed');
      assert.equal(observed.reason, 'PushFailed');
      assert.match(observed.message, /without reporting the digest/);
      assert.ok(observed.message.endsWith(PUSH_LOGS));
    }
  });
});

describe('observeBuildPod when the build failed', () => {
  const failedBuild = (message: string | undefined, exitCode = 1, reason = 'Error') =>
    pod('Failed', terminated(exitCode, reason, '2026-11-23T10:03:00Z', message), podInitializing);

  const stepReasons = ['BaseImagePullFailed', 'DockerfileNotFound', 'AptInstallFailed', 'CondaInstallFailed', 'PipInstallFailed', 'BuildFailed'];
  for (const reason of stepReasons) {
    it(`build step wrote reason=${reason}`, () => {
      const message = `reason=${reason}\nInstalling the packages failed\nE: Unable to locate package nonexistent-pkg\nError: building at STEP "RUN set -eu; ...": exit status 123\n`;
      const observed = observeBuildPod(failedBuild(message));
      assert.equal(observed.phase, 'Failed');
      assert.equal(observed.reason, reason);
      assert.equal(
        observed.message,
        `Installing the packages failed:\nE: Unable to locate package nonexistent-pkg\nError: building at STEP "RUN set -eu; ...": exit status 123\n${BUILD_LOGS}`,
      );
      assert.equal(observed.startTime, STARTED);
      assert.equal(observed.completionTime, '2026-11-23T10:03:00Z');
    });
  }

  it('writes control and bidirectional characters the build printed as visible escapes, keeping line breaks', () => {
    const message = 'reason=PipInstallFailed\nInstalling the pip packages failed\nERROR: no match for evil\u202egnp.exe\u001b[31m\n';
    const observed = observeBuildPod(failedBuild(message));
    assert.equal(observed.message, `Installing the pip packages failed:\nERROR: no match for evil\\u202egnp.exe\\u001b[31m\n${BUILD_LOGS}`);
  });

  it('an unknown reason from the build step is BuildFailed', () => {
    assert.equal(observeBuildPod(failedBuild('reason=Exploded\nsomething\n')).reason, 'BuildFailed');
    assert.equal(observeBuildPod(failedBuild('reason=PushFailed\nsomething\n')).reason, 'BuildFailed');
  });

  it('a build step that died before writing a reason (the log tail is the message)', () => {
    const observed = observeBuildPod(failedBuild('sh: 1: /imagespec/context/build.sh: Permission denied\n', 126));
    assert.equal(observed.reason, 'BuildFailed');
    assert.equal(observed.message, `The build step failed with exit code 126:\nsh: 1: /imagespec/context/build.sh: Permission denied\n${BUILD_LOGS}`);
    const start = observeBuildPod(failedBuild(undefined, 128, 'StartError'));
    assert.equal(start.message, `The build step failed with exit code 128 (StartError)\n${BUILD_LOGS}`);
  });

  it('the build step ran out of memory', () => {
    const observed = observeBuildPod(failedBuild(undefined, 137, 'OOMKilled'));
    assert.equal(observed.reason, 'OOMKilled');
    assert.equal(observed.message, `The build step ran out of memory (limit 4Gi) and was killed\n${BUILD_LOGS}`);
  });

  it('the push step failed', () => {
    const message = 'reason=PushFailed\nCould not push the image to 127.0.0.1:5000/notebook:0123456789ab\ntime="2026-11-23T10:27:27Z" level=fatal msg="unauthorized: authentication required"\n';
    const observed = observeBuildPod(pod('Failed', terminated(0, 'Completed', '2026-11-23T10:05:00Z'), terminated(1, 'Error', '2026-11-23T10:05:09Z', message)));
    assert.equal(observed.reason, 'PushFailed');
    assert.equal(
      observed.message,
      `Could not push the image to 127.0.0.1:5000/notebook:0123456789ab:\ntime="2026-11-23T10:27:27Z" level=fatal msg="unauthorized: authentication required"\n${PUSH_LOGS}`,
    );
    assert.equal(observed.completionTime, '2026-11-23T10:05:09Z');
  });

  it('the push step ran out of memory', () => {
    const observed = observeBuildPod(pod('Failed', terminated(0, 'Completed', '2026-11-23T10:05:00Z'), terminated(137, 'OOMKilled', '2026-11-23T10:05:09Z')));
    assert.equal(observed.reason, 'OOMKilled');
    assert.ok(observed.message.endsWith(PUSH_LOGS));
  });

  it('the deadline passed during the build', () => {
    const observed = observeBuildPod(
      pod('Failed', terminated(137, 'Error', '2026-11-23T10:30:01Z'), podInitializing, {
        reason: 'DeadlineExceeded',
        message: 'Pod was active on the node longer than the specified deadline',
      }),
    );
    assert.equal(observed.phase, 'Failed');
    assert.equal(observed.reason, 'DeadlineExceeded');
    assert.equal(observed.message, `The build did not finish within its deadline of 1800s; it was stopped during the build step\n${BUILD_LOGS}`);
  });

  it('the deadline passed while the builder image could not be pulled', () => {
    const observed = observeBuildPod(
      pod('Failed', { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${BUILDAH}"` } }, podInitializing, {
        reason: 'DeadlineExceeded',
        message: 'Pod was active on the node longer than the specified deadline',
      }),
    );
    assert.equal(observed.reason, 'BuilderImagePullFailed');
    assert.match(observed.message, /gave up at the build deadline/);
  });

  it('the Pod was evicted', () => {
    const observed = observeBuildPod(
      pod('Failed', terminated(137, 'Error', '2026-11-23T10:04:00Z'), podInitializing, {
        reason: 'Evicted',
        message: 'Pod ephemeral local storage usage exceeds the total limit of containers 20Gi. ',
      }),
    );
    assert.equal(observed.reason, 'PodEvicted');
    assert.match(observed.message, /evicted: Pod ephemeral local storage usage exceeds the total limit of containers 20Gi\./);
    assert.ok(observed.message.endsWith(BUILD_LOGS));
  });

  it('a failed Pod without container details', () => {
    const observed = observeBuildPod(pod('Failed', undefined, undefined, { reason: 'UnexpectedAdmissionError', message: 'Allocate failed' }));
    assert.equal(observed.reason, 'BuildFailed');
    assert.match(observed.message, /^The build Pod failed: UnexpectedAdmissionError: Allocate failed\n/);
  });

  it('keeps only the last lines of a long termination message', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `line ${i}`);
    const observed = observeBuildPod(failedBuild(`reason=PipInstallFailed\nInstalling the pip packages failed\n${lines.join('\n')}`));
    assert.ok(!observed.message.includes('line 34\n'));
    assert.ok(observed.message.includes('line 35\n') && observed.message.includes('line 59\n'));
  });
});

describe('observeBuildPod with the context step before the build', () => {
  const CONTEXT_LOGS = `Logs: kubectl logs -n ${NAMESPACE} ${POD} -c context`;
  /** The Pod as this version builds it: init containers context and build, then push. */
  function withContext(phase: string, contextState: V1ContainerStatus['state'], build: V1ContainerStatus['state'], push: V1ContainerStatus['state'] = podInitializing): V1Pod {
    const shaped = pod(phase, build, push);
    shaped.spec!.initContainers!.unshift({ name: 'context', image: SKOPEO });
    shaped.status!.initContainerStatuses!.unshift({ ...container('push', contextState), name: 'context' });
    return shaped;
  }

  it('while it fetches: Building, pointing at its logs', () => {
    const observed = observeBuildPod(withContext('Pending', running(), podInitializing));
    assert.equal(observed.phase, 'Building');
    assert.equal(observed.message, `Fetching the build context from the controller; logs: kubectl logs -n ${NAMESPACE} ${POD} -c context`);
  });

  it('when it fails: ContextFetchFailed with the step\'s own words, not a build failure', () => {
    const message = 'reason=ContextFetchFailed\nThe controller did not give the build context (HTTP 403)\nOnly the build Pod of ImageSpecJob team-a/notebook-0123456789ab may fetch its build context: the token belongs to another Pod\n';
    const observed = observeBuildPod(withContext('Failed', terminated(1, 'Error', '2026-11-23T10:00:09Z', message), podInitializing));
    assert.equal(observed.phase, 'Failed');
    assert.equal(observed.reason, 'ContextFetchFailed');
    assert.match(observed.message, /^The controller did not give the build context \(HTTP 403\):\nOnly the build Pod of ImageSpecJob/);
    assert.ok(observed.message.endsWith(CONTEXT_LOGS));
  });

  it('when the controller said the context changed: ContextChanged', () => {
    const message = 'reason=ContextChanged\nThe controller did not give the build context (HTTP 412)\nConfigMap "ctx" (the build context) changed after this revision was created\n';
    const observed = observeBuildPod(withContext('Failed', terminated(1, 'Error', '2026-11-23T10:00:09Z', message), podInitializing));
    assert.equal(observed.reason, 'ContextChanged');
    // Any other reason the context step might write is still a fetch failure.
    const other = observeBuildPod(withContext('Failed', terminated(1, 'Error', '2026-11-23T10:00:09Z', 'reason=PushFailed\nx\n'), podInitializing));
    assert.equal(other.reason, 'ContextFetchFailed');
  });

  it('once it has succeeded, the build and push steps are read as before', () => {
    const fetched = terminated(0, 'Completed', '2026-11-23T10:00:07Z');
    const building = observeBuildPod(withContext('Pending', fetched, running()));
    assert.equal(building.message, `Building; logs: kubectl logs -n ${NAMESPACE} ${POD} -c build`);
    const aptFailed = 'reason=AptInstallFailed\napt-get install failed\nE: Unable to locate package nosuch\n';
    const failed = observeBuildPod(withContext('Failed', fetched, terminated(100, 'Error', '2026-11-23T10:02:00Z', aptFailed)));
    assert.equal(failed.reason, 'AptInstallFailed');
    assert.ok(failed.message.endsWith(BUILD_LOGS));
    const deadline = observeBuildPod({ ...withContext('Failed', running(), podInitializing), status: { ...withContext('Failed', running(), podInitializing).status, reason: 'DeadlineExceeded' } });
    assert.equal(deadline.reason, 'DeadlineExceeded');
    assert.match(deadline.message, /stopped during the context step/);
    // Never scheduled, so no step has a status yet: the spec says the context step comes first.
    const unscheduled = withContext('Failed', running(), podInitializing);
    unscheduled.status = { phase: 'Failed', reason: 'DeadlineExceeded' };
    const neverStarted = observeBuildPod(unscheduled);
    assert.match(neverStarted.message, /stopped during the context step/);
    assert.ok(neverStarted.message.endsWith(CONTEXT_LOGS));
  });
});

describe('observeBuildPod with the download step of an archive context', () => {
  const SOURCE_LOGS = `Logs: kubectl logs -n ${NAMESPACE} ${POD} -c source`;
  const fetched = terminated(0, 'Completed', '2026-11-23T10:00:05Z');
  function withSource(phase: string, sourceState: V1ContainerStatus['state'], build: V1ContainerStatus['state'] = podInitializing): V1Pod {
    const shaped = pod(phase, build, podInitializing);
    shaped.spec!.initContainers!.unshift({ name: 'context', image: SKOPEO }, { name: 'source', image: SKOPEO });
    shaped.status!.initContainerStatuses!.unshift({ ...container('push', fetched), name: 'context' }, { ...container('push', sourceState), name: 'source' });
    return shaped;
  }

  it('while it downloads: Building, pointing at its logs', () => {
    const observed = observeBuildPod(withSource('Pending', running()));
    assert.equal(observed.phase, 'Building');
    assert.equal(observed.message, `Downloading the build context archive; logs: kubectl logs -n ${NAMESPACE} ${POD} -c source`);
  });

  it('each of its reasons is kept; anything else from it is ArchiveDownloadFailed', () => {
    for (const reason of ['ArchiveDownloadFailed', 'ArchiveTooLarge', 'ArchiveDigestMismatch', 'ArchiveUnpackFailed']) {
      const message = `reason=${reason}\nThe archive downloaded from https://example.com/a.tgz has the digest sha256:1, not sha256:2\n`;
      const observed = observeBuildPod(withSource('Failed', terminated(1, 'Error', '2026-11-23T10:00:09Z', message)));
      assert.equal(observed.phase, 'Failed');
      assert.equal(observed.reason, reason);
      assert.match(observed.message, /^The archive downloaded from https:\/\/example\.com\/a\.tgz has the digest/);
      assert.ok(observed.message.endsWith(SOURCE_LOGS));
    }
    const other = observeBuildPod(withSource('Failed', terminated(1, 'Error', '2026-11-23T10:00:09Z', 'reason=AptInstallFailed\nx\n')));
    assert.equal(other.reason, 'ArchiveDownloadFailed');
  });

  it('a deadline during the download names the step', () => {
    const stopped = withSource('Failed', running());
    stopped.status!.reason = 'DeadlineExceeded';
    assert.match(observeBuildPod(stopped).message, /stopped during the source step/);
  });
});
