import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dumpYaml, type V1Container, type V1Pod } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { configMapName, podName } from '../../api/names.ts';
import type { ImageSpecJob } from '../../api/types.ts';
import { parseConfig } from '../../config/parse.ts';
import type { Config } from '../../config/types.ts';
import { buildContextConfigMap, buildPod } from './pod.ts';

const PASSWORD = 'registry-password-that-must-not-leak';
const REVISION = '0123456789abcdef'.repeat(4);

function configFrom(variables: Record<string, string> = {}): Config {
  const result = parseConfig(
    {
      IMAGESPEC_REGISTRY_ENDPOINT: '127.0.0.1:5000',
      IMAGESPEC_REGISTRY_USERNAME: 'robot',
      IMAGESPEC_REGISTRY_PASSWORD: PASSWORD,
      ...variables,
    },
    { logFormat: 'text' },
  );
  assert.ok(result.ok, JSON.stringify(result));
  return result.config;
}

function jobWith(spec: Partial<ImageSpecJob['spec']> = {}): ImageSpecJob {
  return {
    apiVersion: 'imagespec.dev/v1alpha1',
    kind: 'ImageSpecJob',
    metadata: { name: `notebook-${REVISION.slice(0, 12)}`, namespace: 'team-a', uid: 'f3a1c2d4-0000-4000-8000-000000000001' },
    spec: {
      imageSpecName: 'notebook',
      revision: REVISION,
      baseImage: 'python:3.11',
      packages: { apt: ['curl'], pip: ['numpy'], conda: [] },
      targetImage: `127.0.0.1:5000/notebook:${REVISION.slice(0, 12)}`,
      ...spec,
    },
  };
}

const byName = (containers: V1Container[] | undefined, name: string) => containers?.find((c) => c.name === name);

function secretVolumesMountedBy(pod: V1Pod, container: V1Container): string[] {
  const secretVolumes = new Set((pod.spec?.volumes ?? []).filter((v) => v.secret).map((v) => v.name));
  return (container.volumeMounts ?? []).filter((m) => secretVolumes.has(m.name)).map((m) => m.name);
}

describe('buildPod', () => {
  const config = configFrom();
  const job = jobWith();
  const pod = buildPod(job, config);
  const spec = pod.spec!;
  const build = byName(spec.initContainers, 'build')!;
  const push = byName(spec.containers, 'push')!;

  it('has a deterministic name, the labels and a controller reference to its ImageSpecJob', () => {
    assert.equal(pod.metadata?.name, podName(job.metadata.name!));
    assert.equal(pod.metadata?.namespace, 'team-a');
    assert.deepEqual(pod.metadata?.labels, {
      'imagespec.dev/imagespec': 'notebook',
      'imagespec.dev/revision': '0123456789ab',
      'imagespec.dev/imagespecjob': job.metadata.name,
      'app.kubernetes.io/managed-by': 'imagespec-controller',
    });
    assert.equal(pod.metadata?.annotations?.['imagespec.dev/revision'], REVISION);
    assert.deepEqual(pod.metadata?.ownerReferences, [
      {
        apiVersion: 'imagespec.dev/v1alpha1',
        kind: 'ImageSpecJob',
        name: job.metadata.name,
        uid: job.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.deepEqual(buildPod(job, config), pod);
  });

  it('runs once, within the deadline, without a service account token or service links', () => {
    assert.equal(spec.restartPolicy, 'Never');
    assert.equal(spec.activeDeadlineSeconds, 1800);
    assert.equal(spec.automountServiceAccountToken, false);
    assert.equal(spec.enableServiceLinks, false);
    assert.equal(spec.hostNetwork, undefined);
    assert.equal(spec.nodeSelector, undefined);
    assert.equal(spec.serviceAccountName, undefined);
  });

  it('builds in an init container that is not privileged and has no push credentials', () => {
    assert.deepEqual(spec.initContainers?.map((c) => c.name), ['build']);
    assert.equal(build.image, 'quay.io/buildah/stable:v1.28.2');
    assert.deepEqual(build.command, ['/bin/sh', '/imagespec/context/build.sh']);
    // chroot isolation: only the capabilities buildah's user namespace needs, and no_new_privs.
    assert.deepEqual(build.securityContext, {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'], add: ['SETUID', 'SETGID', 'SETFCAP'] },
      seccompProfile: { type: 'Unconfined' },
    });
    assert.deepEqual(secretVolumesMountedBy(pod, build), []);
    assert.deepEqual(
      build.volumeMounts?.map((m) => [m.name, m.mountPath, m.readOnly ?? false]),
      [
        ['context', '/imagespec/context', true],
        ['workspace', '/imagespec/workspace', false],
        ['storage', '/var/lib/containers/storage', false],
      ],
    );
  });

  it('uploads from a separate container with no credential but its own upload token', () => {
    assert.deepEqual(spec.containers.map((c) => c.name), ['push']);
    assert.equal(push.image, 'quay.io/skopeo/stable:v1.9.3');
    assert.deepEqual(push.command, ['/bin/sh', '/imagespec/context/push.sh']);
    assert.deepEqual(secretVolumesMountedBy(pod, push), []);
    assert.deepEqual(
      push.volumeMounts?.map((m) => [m.name, m.mountPath, m.readOnly ?? false]),
      [
        ['context', '/imagespec/context', true],
        ['workspace', '/imagespec/workspace', true],
        ['upload-token', '/imagespec/upload-token', true],
      ],
    );
    assert.equal(push.securityContext?.allowPrivilegeEscalation, false);
    assert.deepEqual(push.securityContext?.capabilities, { drop: ['ALL'] });
  });

  it('references no Secret: the context ConfigMap, emptyDirs and a Pod-bound token for the controller only', () => {
    assert.deepEqual(spec.volumes, [
      { name: 'context', configMap: { name: configMapName(job.metadata.name!), defaultMode: 0o444 } },
      { name: 'workspace', emptyDir: {} },
      { name: 'storage', emptyDir: {} },
      {
        name: 'upload-token',
        projected: { defaultMode: 0o400, sources: [{ serviceAccountToken: { audience: 'imagespec-upload', expirationSeconds: 600, path: 'token' } }] },
      },
    ]);
    assert.ok(!JSON.stringify(pod).includes('imagespec-push'));
  });

  it('never carries a secret value or environment variables', () => {
    assert.ok(!JSON.stringify(pod).includes(PASSWORD));
    assert.ok(!JSON.stringify(pod).includes(Buffer.from(`robot:${PASSWORD}`).toString('base64')));
    for (const container of [build, push]) assert.equal(container.env, undefined);
  });

  it('lets the scripts report failures, falling back to the log when a step dies first', () => {
    for (const container of [build, push]) {
      assert.equal(container.terminationMessagePath, '/dev/termination-log');
      assert.equal(container.terminationMessagePolicy, 'FallbackToLogsOnError');
      assert.equal(container.imagePullPolicy, 'IfNotPresent');
    }
  });

  it('requests the configured resources, ephemeral storage included', () => {
    const expected = {
      requests: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '2Gi' },
      limits: { memory: '4Gi', 'ephemeral-storage': '20Gi' },
    };
    assert.deepEqual(build.resources, expected);
    assert.deepEqual(push.resources, expected);
  });

  it('uses only fields the Kubernetes API knows (the typed serializer drops unknown ones)', () => {
    assert.deepEqual(yaml.load(dumpYaml(pod)), JSON.parse(JSON.stringify(pod)));
    const configMap = buildContextConfigMap(job, { Dockerfile: 'FROM x\n' });
    assert.deepEqual(yaml.load(dumpYaml(configMap)), JSON.parse(JSON.stringify(configMap)));
  });
});

describe('buildPod with other settings', () => {
  it('mounts the ImageSpec pull Secret in the build step only', () => {
    const pod = buildPod(jobWith({ pullSecret: 'private-base' }), configFrom());
    const build = byName(pod.spec?.initContainers, 'build')!;
    const push = byName(pod.spec?.containers, 'push')!;
    assert.deepEqual(secretVolumesMountedBy(pod, build), ['pull-secret']);
    assert.deepEqual(secretVolumesMountedBy(pod, push), []);
    const volume = pod.spec?.volumes?.find((v) => v.name === 'pull-secret');
    assert.equal(volume?.secret?.secretName, 'private-base');
    assert.equal(build.volumeMounts?.find((m) => m.name === 'pull-secret')?.mountPath, '/imagespec/pull-secret');
  });

  it('follows the admin configuration', () => {
    const config = configFrom({
      IMAGESPEC_BUILD_TIMEOUT_SECONDS: '600',
      IMAGESPEC_BUILD_HOST_NETWORK: 'true',
      IMAGESPEC_BUILD_NODE_SELECTOR: 'kubernetes.io/os=linux,pool=builds',
      IMAGESPEC_BUILD_SERVICE_ACCOUNT: 'builder',
      IMAGESPEC_BUILD_PRIVILEGED: 'true',
      IMAGESPEC_BUILD_SECCOMP_PROFILE: 'Localhost:profiles/buildah.json',
      IMAGESPEC_BUILDAH_IMAGE: '127.0.0.1:5001/tools/buildah:1.28.2',
      IMAGESPEC_PUSH_IMAGE: '127.0.0.1:5001/tools/skopeo:1.9.3',
      IMAGESPEC_IMAGE_PULL_POLICY: 'Always',
      IMAGESPEC_BUILD_CPU_LIMIT: '2',
      IMAGESPEC_BUILD_MEMORY_REQUEST: '',
      IMAGESPEC_BUILD_EPHEMERAL_STORAGE_LIMIT: '50Gi',
    });
    const pod = buildPod(jobWith(), config);
    const spec = pod.spec!;
    const build = byName(spec.initContainers, 'build')!;
    assert.equal(spec.activeDeadlineSeconds, 600);
    assert.equal(spec.hostNetwork, true);
    assert.deepEqual(spec.nodeSelector, { 'kubernetes.io/os': 'linux', pool: 'builds' });
    assert.equal(spec.serviceAccountName, 'builder');
    assert.equal(spec.automountServiceAccountToken, false);
    assert.deepEqual(build.securityContext, {
      privileged: true,
      seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/buildah.json' },
    });
    assert.equal(build.image, '127.0.0.1:5001/tools/buildah:1.28.2');
    assert.equal(byName(spec.containers, 'push')?.image, '127.0.0.1:5001/tools/skopeo:1.9.3');
    assert.equal(build.imagePullPolicy, 'Always');
    assert.equal(build.resources?.limits?.cpu, '2');
    assert.equal(build.resources?.limits?.['ephemeral-storage'], '50Gi');
  });

  it('keeps the runtime\'s default capabilities for oci isolation, which runs runc inside the step', () => {
    const pod = buildPod(jobWith(), configFrom({ IMAGESPEC_BUILD_ISOLATION: 'oci' }));
    assert.deepEqual(byName(pod.spec?.initContainers, 'build')?.securityContext, { seccompProfile: { type: 'Unconfined' } });
  });
});

describe('buildContextConfigMap', () => {
  it('holds the rendered files, immutable, owned by the ImageSpecJob', () => {
    const job = jobWith();
    const files = { Dockerfile: 'FROM x\n', 'apt.txt': 'curl\n', 'build.sh': '#!/bin/sh\n' };
    const configMap = buildContextConfigMap(job, files);
    assert.equal(configMap.metadata?.name, configMapName(job.metadata.name!));
    assert.equal(configMap.metadata?.namespace, 'team-a');
    assert.equal(configMap.metadata?.labels?.['imagespec.dev/imagespecjob'], job.metadata.name);
    assert.equal(configMap.metadata?.labels?.['imagespec.dev/revision'], '0123456789ab');
    assert.equal(configMap.metadata?.ownerReferences?.[0]?.controller, true);
    assert.equal(configMap.metadata?.ownerReferences?.[0]?.uid, job.metadata.uid);
    assert.equal(configMap.immutable, true);
    assert.deepEqual(configMap.data, files);
    assert.notEqual(configMap.data, files, 'a copy, not the caller\'s object');
  });
});

describe('buildPod build cache', () => {
  const storage = (pod: V1Pod) => pod.spec?.volumes?.find((v) => v.name === 'storage');
  it('gives every build its own emptyDir by default', () => {
    assert.deepEqual(storage(buildPod(jobWith(), configFrom()))?.emptyDir, {});
  });
  it('keeps buildah storage on the node or in a claim when a cache is configured', () => {
    const host = storage(buildPod(jobWith(), configFrom({ IMAGESPEC_BUILD_CACHE: 'hostPath:/var/lib/imagespec/cache' })));
    assert.deepEqual(host?.hostPath, { path: '/var/lib/imagespec/cache/team-a', type: 'DirectoryOrCreate' });
    const claim = storage(buildPod(jobWith(), configFrom({ IMAGESPEC_BUILD_CACHE: 'pvc:build-cache' })));
    assert.deepEqual(claim?.persistentVolumeClaim, { claimName: 'build-cache' });
  });
});
