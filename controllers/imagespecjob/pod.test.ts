import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dumpYaml, type V1Container, type V1Pod } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { LIMITS, PATTERNS } from '../../api/grammar.ts';
import { podName } from '../../api/names.ts';
import { normalizePackages } from '../../api/packages.ts';
import type { ImageSpecJob } from '../../api/types.ts';
import { validateImageSpec } from '../../api/validate.ts';
import { MAX_CA_BUNDLE_BYTES } from '../../config/ca-bundle.ts';
import { parseConfig } from '../../config/parse.ts';
import type { Config } from '../../config/types.ts';
import { renderBuildContext } from '../../render/context.ts';
import { LIST_FILES } from '../../render/package-lists.ts';
import { loadTemplates } from '../../render/templates.ts';
import { uploadUrl } from '../upload/route.ts';
import { buildPod, CONTEXT_ANNOTATION_PREFIX, contextAnnotations } from './pod.ts';

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

// Not in file name order: the volume sorts them.
const FILES = { 'build.sh': '#!/bin/sh\n', Dockerfile: 'FROM x\n', 'push.sh': '#!/bin/sh\n', 'apt.txt': 'curl\n' };

const byName = (containers: V1Container[] | undefined, name: string) => containers?.find((c) => c.name === name);

function secretVolumesMountedBy(pod: V1Pod, container: V1Container): string[] {
  const secretVolumes = new Set((pod.spec?.volumes ?? []).filter((v) => v.secret).map((v) => v.name));
  return (container.volumeMounts ?? []).filter((m) => secretVolumes.has(m.name)).map((m) => m.name);
}

describe('buildPod', () => {
  const config = configFrom();
  const job = jobWith();
  const pod = buildPod(job, config, FILES);
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
    assert.deepEqual(buildPod(job, config, FILES), pod);
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

  it('carries the build context in its own annotations, one per file', () => {
    const annotations = pod.metadata?.annotations ?? {};
    assert.deepEqual(annotations, {
      'imagespec.dev/revision': REVISION,
      'context.imagespec.dev/Dockerfile': 'FROM x\n',
      'context.imagespec.dev/apt.txt': 'curl\n',
      'context.imagespec.dev/build.sh': '#!/bin/sh\n',
      'context.imagespec.dev/push.sh': '#!/bin/sh\n',
    });
    assert.deepEqual(contextAnnotations(FILES), Object.fromEntries(Object.entries(annotations).filter(([key]) => key.startsWith(CONTEXT_ANNOTATION_PREFIX))));
  });

  it('references no Secret: the context from its annotations, emptyDirs and a Pod-bound token for the controller only', () => {
    const fromAnnotation = (file: string) => ({ path: file, fieldRef: { fieldPath: `metadata.annotations['context.imagespec.dev/${file}']` } });
    assert.deepEqual(spec.volumes, [
      {
        name: 'context',
        // Sorted by file name, whatever order the files came in.
        downwardAPI: { defaultMode: 0o444, items: ['Dockerfile', 'apt.txt', 'build.sh', 'push.sh'].map(fromAnnotation) },
      },
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

  it('gives the build step, and only it, the admin proxies and the job\'s allowed spec.env', () => {
    const config = configFrom({ IMAGESPEC_BUILD_HTTP_PROXY: 'http://127.0.0.1:3128', IMAGESPEC_BUILD_NO_PROXY: '.cluster.local' });
    const proxied = buildPod(jobWith({ env: [{ name: 'HTTPS_PROXY', value: 'http://127.0.0.1:3129' }, { name: 'SURPRISE', value: 'x' }] }), config, FILES);
    assert.deepEqual(byName(proxied.spec?.initContainers, 'build')?.env, [
      { name: 'HTTPS_PROXY', value: 'http://127.0.0.1:3129' },
      { name: 'HTTP_PROXY', value: 'http://127.0.0.1:3128' },
      { name: 'NO_PROXY', value: '.cluster.local' },
      { name: 'http_proxy', value: 'http://127.0.0.1:3128' },
      { name: 'https_proxy', value: 'http://127.0.0.1:3129' },
      { name: 'no_proxy', value: '.cluster.local' },
    ]);
    assert.equal(byName(proxied.spec?.containers, 'push')?.env, undefined, 'the push step talks to the controller only');
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
  });
});

describe('buildPod with other settings', () => {
  it('mounts the ImageSpec pull Secret in the build step only', () => {
    const pod = buildPod(jobWith({ pullSecret: 'private-base' }), configFrom(), FILES);
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
    const pod = buildPod(jobWith(), config, FILES);
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
    const pod = buildPod(jobWith(), configFrom({ IMAGESPEC_BUILD_ISOLATION: 'oci' }), FILES);
    assert.deepEqual(byName(pod.spec?.initContainers, 'build')?.securityContext, { seccompProfile: { type: 'Unconfined' } });
  });
});

describe('buildPod build cache', () => {
  const storage = (pod: V1Pod) => pod.spec?.volumes?.find((v) => v.name === 'storage');
  it('gives every build its own emptyDir by default', () => {
    assert.deepEqual(storage(buildPod(jobWith(), configFrom(), FILES))?.emptyDir, {});
  });
  it('keeps buildah storage on the node or in a claim when a cache is configured', () => {
    const host = storage(buildPod(jobWith(), configFrom({ IMAGESPEC_BUILD_CACHE: 'hostPath:/var/lib/imagespec/cache' }), FILES));
    assert.deepEqual(host?.hostPath, { path: '/var/lib/imagespec/cache/team-a', type: 'DirectoryOrCreate' });
    const claim = storage(buildPod(jobWith(), configFrom({ IMAGESPEC_BUILD_CACHE: 'pvc:build-cache' }), FILES));
    assert.deepEqual(claim?.persistentVolumeClaim, { claimName: 'build-cache' });
  });
});

describe('buildPod context size', () => {
  // The API server refuses an object whose annotations, keys and values, add up to more than this.
  const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
  const annotationBytes = (pod: V1Pod) =>
    Object.entries(pod.metadata?.annotations ?? {}).reduce((total, [key, value]) => total + Buffer.byteLength(key) + Buffer.byteLength(value), 0);

  /** `count` distinct entries of exactly `length` characters, `<index><filler>`. */
  const entries = (count: number, length: number, filler: string) =>
    Array.from({ length: count }, (_, index) => `${String(index).padStart(3, '0')}${filler.repeat(length - 3)}`);
  /** A bare name (docker.io/library/ is added when rendered) with the longest tag. */
  const longestBareReference = `${'b'.repeat(LIMITS.imageReferenceLength - 1 - 128)}:${'t'.repeat(128)}`;
  const longestTarget = `registry.example.com:5000/${'p'.repeat(LIMITS.imageReferenceLength - 26 - 1 - 128)}:${'t'.repeat(128)}`;

  it('fits the worst case a valid ImageSpec can ask for: every package list and the build arguments full of the longest entries, and the largest CA bundle', () => {
    const spec = {
      baseImage: longestBareReference,
      packages: {
        apt: entries(LIMITS.packagesPerManager, LIMITS.packageLength, 'a'),
        conda: entries(LIMITS.packagesPerManager, LIMITS.packageLength, 'c'),
        pip: entries(LIMITS.packagesPerManager, LIMITS.pipRequirementLength, 'p'),
      },
      buildArgs: entries(LIMITS.buildArgs, LIMITS.buildArgNameLength - 1, 'N').map((name) => ({ name: `A${name}`, value: 'v'.repeat(LIMITS.buildArgValueLength) })),
    };
    const validation = validateImageSpec({ apiVersion: 'imagespec.dev/v1alpha1', kind: 'ImageSpec', metadata: { name: 'n'.repeat(63) }, spec });
    assert.ok(validation.ok, JSON.stringify(validation));
    assert.equal(longestTarget.length, LIMITS.imageReferenceLength);
    assert.match(longestTarget, new RegExp(PATTERNS.imageReference, 'u'));

    const job = jobWith({ ...spec, packages: normalizePackages(spec.packages), targetImage: longestTarget });
    job.metadata = { ...job.metadata, name: 'n'.repeat(63), namespace: 's'.repeat(63) };
    // The admin's CA bundle at its largest travels with every build.
    const config = { ...configFrom({ IMAGESPEC_UPLOAD_URL: `http://${'u'.repeat(LIMITS.imageReferenceLength - 13)}:65535` }), registryCa: { file: 'ca.crt', pem: 'c'.repeat(MAX_CA_BUNDLE_BYTES) } };
    const files = renderBuildContext(loadTemplates(), { ...job.spec, uploadUrl: uploadUrl(config.upload.url!, { namespace: job.metadata.namespace!, name: job.metadata.name! }) }, config);
    for (const manager of ['apt', 'conda', 'pip'] as const) {
      assert.equal(files[LIST_FILES[manager]]?.split('\n').length, LIMITS.packagesPerManager + 1, `${manager}: every entry is in the context`);
    }
    assert.equal(files['build-args.txt']?.split('\n').length, LIMITS.buildArgs + 1, 'every build argument is in the context');
    assert.equal(files['registry-ca.crt']?.length, MAX_CA_BUNDLE_BYTES, 'the CA bundle is in the context');

    const size = annotationBytes(buildPod(job, config, files));
    assert.ok(size > 3 * LIMITS.packagesPerManager * LIMITS.pipRequirementLength, `${size} bytes: the lists are counted`);
    assert.ok(size < TOTAL_ANNOTATION_SIZE_LIMIT, `${size} bytes of annotations, over the API server's limit of ${TOTAL_ANNOTATION_SIZE_LIMIT}`);
  });
});
