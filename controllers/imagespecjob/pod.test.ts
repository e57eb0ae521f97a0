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
import { contextUrl, uploadUrl } from '../upload/route.ts';
import { buildPod } from './pod.ts';
import { CONTEXT_FETCH_SCRIPT } from './context-step.ts';

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

const CONTEXT_URL = 'http://127.0.0.1:8081/v1/namespaces/team-a/imagespecjobs/notebook-0123456789ab/context';

const byName = (containers: V1Container[] | undefined, name: string) => containers?.find((c) => c.name === name);

function secretVolumesMountedBy(pod: V1Pod, container: V1Container): string[] {
  const secretVolumes = new Set((pod.spec?.volumes ?? []).filter((v) => v.secret).map((v) => v.name));
  return (container.volumeMounts ?? []).filter((m) => secretVolumes.has(m.name)).map((m) => m.name);
}

describe('buildPod', () => {
  const config = configFrom();
  const job = jobWith();
  const pod = buildPod(job, config, CONTEXT_URL);
  const spec = pod.spec!;
  const context = byName(spec.initContainers, 'context')!;
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
    assert.deepEqual(buildPod(job, config, CONTEXT_URL), pod);
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

  it('fetches the build context first, with the push image, its own upload token and no capability', () => {
    assert.deepEqual(spec.initContainers?.map((c) => c.name), ['context', 'build']);
    assert.equal(context.image, 'quay.io/skopeo/stable:v1.9.3');
    assert.deepEqual(context.command, ['/bin/sh', '-c', CONTEXT_FETCH_SCRIPT, 'context', CONTEXT_URL, '/imagespec/upload-token/token', '/imagespec/context', '/dev/termination-log']);
    assert.deepEqual(
      context.volumeMounts?.map((m) => [m.name, m.mountPath, m.readOnly ?? false]),
      [
        ['context', '/imagespec/context', false],
        ['upload-token', '/imagespec/upload-token', true],
      ],
    );
    assert.deepEqual(secretVolumesMountedBy(pod, context), []);
    assert.deepEqual(context.securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    assert.equal(context.env, undefined, 'no proxy: the step talks to the controller only');
  });

  it('builds in an init container that is not privileged and has no push credentials', () => {
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

  it('carries no build context of its own: only the revision annotation', () => {
    assert.deepEqual(pod.metadata?.annotations, { 'imagespec.dev/revision': REVISION });
  });

  it('references no Secret: emptyDirs and a Pod-bound token for the controller only', () => {
    assert.deepEqual(spec.volumes, [
      { name: 'context', emptyDir: {} },
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
    for (const container of [context, build, push]) assert.equal(container.env, undefined);
  });

  it('gives the build step, and only it, the admin proxies and the job\'s allowed spec.env', () => {
    const config = configFrom({ IMAGESPEC_BUILD_HTTP_PROXY: 'http://127.0.0.1:3128', IMAGESPEC_BUILD_NO_PROXY: '.cluster.local' });
    const proxied = buildPod(jobWith({ env: [{ name: 'HTTPS_PROXY', value: 'http://127.0.0.1:3129' }, { name: 'SURPRISE', value: 'x' }] }), config, CONTEXT_URL);
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
    for (const container of [context, build, push]) {
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
    const pod = buildPod(jobWith({ pullSecret: 'private-base' }), configFrom(), CONTEXT_URL);
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
    const pod = buildPod(jobWith(), config, CONTEXT_URL);
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
    const pod = buildPod(jobWith(), configFrom({ IMAGESPEC_BUILD_ISOLATION: 'oci' }), CONTEXT_URL);
    assert.deepEqual(byName(pod.spec?.initContainers, 'build')?.securityContext, { seccompProfile: { type: 'Unconfined' } });
  });
});

describe('buildPod build cache', () => {
  const storage = (pod: V1Pod) => pod.spec?.volumes?.find((v) => v.name === 'storage');
  it('gives every build its own emptyDir by default', () => {
    assert.deepEqual(storage(buildPod(jobWith(), configFrom(), CONTEXT_URL))?.emptyDir, {});
  });
  it('keeps buildah storage on the node or in a claim when a cache is configured', () => {
    const host = storage(buildPod(jobWith(), configFrom({ IMAGESPEC_BUILD_CACHE: 'hostPath:/var/lib/imagespec/cache' }), CONTEXT_URL));
    assert.deepEqual(host?.hostPath, { path: '/var/lib/imagespec/cache/team-a', type: 'DirectoryOrCreate' });
    const claim = storage(buildPod(jobWith(), configFrom({ IMAGESPEC_BUILD_CACHE: 'pvc:build-cache' }), CONTEXT_URL));
    assert.deepEqual(claim?.persistentVolumeClaim, { claimName: 'build-cache' });
  });
});

describe('buildPod size', () => {
  /** `count` distinct entries of exactly `length` characters, `<index><filler>`. */
  const entries = (count: number, length: number, filler: string) =>
    Array.from({ length: count }, (_, index) => `${String(index).padStart(3, '0')}${filler.repeat(length - 3)}`);
  /** A bare name (docker.io/library/ is added when rendered) with the longest tag. */
  const longestBareReference = `${'b'.repeat(LIMITS.imageReferenceLength - 1 - 128)}:${'t'.repeat(128)}`;
  const longestTarget = `registry.example.com:5000/${'p'.repeat(LIMITS.imageReferenceLength - 26 - 1 - 128)}:${'t'.repeat(128)}`;

  it('stays small whatever the spec asks for: every list and build argument at its limit, and the largest CA bundle, go to the rendered context only', () => {
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
    const config = { ...configFrom({ IMAGESPEC_UPLOAD_URL: `http://${'u'.repeat(LIMITS.imageReferenceLength - 13)}:65535` }), registryCa: { file: 'ca.crt', pem: 'c'.repeat(MAX_CA_BUNDLE_BYTES) } };
    const route = { namespace: job.metadata.namespace!, name: job.metadata.name! };
    const files = renderBuildContext(loadTemplates(), { ...job.spec, uploadUrl: uploadUrl(config.upload.url!, route) }, config);
    for (const manager of ['apt', 'conda', 'pip'] as const) {
      assert.equal(files[LIST_FILES[manager]]?.split('\n').length, LIMITS.packagesPerManager + 1, `${manager}: every entry is in the context`);
    }
    assert.equal(files['build-args.txt']?.split('\n').length, LIMITS.buildArgs + 1, 'every build argument is in the context');
    assert.equal(files['registry-ca.crt']?.length, MAX_CA_BUNDLE_BYTES, 'the CA bundle is in the context');

    const contextBytes = Object.values(files).reduce((total, content) => total + Buffer.byteLength(content), 0);
    const podBytes = Buffer.byteLength(JSON.stringify(buildPod(job, config, contextUrl(config.upload.url!, route))));
    const smallestPodBytes = Buffer.byteLength(JSON.stringify(buildPod(jobWith(), configFrom(), CONTEXT_URL)));
    assert.ok(contextBytes > 3 * LIMITS.packagesPerManager * LIMITS.pipRequirementLength, `${contextBytes} bytes of context`);
    // Nothing of the lists, arguments or bundle: the Pod grows only by its longer names and URL.
    assert.ok(podBytes - smallestPodBytes < 1024, `the largest spec's Pod is ${podBytes} bytes, the smallest's ${smallestPodBytes}`);
    assert.ok(podBytes < 8 * 1024, `${podBytes} bytes`);
  });
});

describe('buildPod of a Dockerfile build from a claim', () => {
  const claimJob = (path?: string) =>
    jobWith({ baseImage: undefined, build: { context: { persistentVolumeClaim: { claimName: 'workspace', ...(path ? { path } : {}) } }, dockerfile: 'Dockerfile' } });

  it('mounts the tenant\'s whole claim read-only into the build step alone (build.sh finds the path in it)', () => {
    const pod = buildPod(claimJob('projects/app'), configFrom(), CONTEXT_URL);
    assert.deepEqual(pod.spec?.volumes?.find((v) => v.name === 'source'), { name: 'source', persistentVolumeClaim: { claimName: 'workspace', readOnly: true } });
    const build = byName(pod.spec?.initContainers, 'build')!;
    assert.deepEqual(build.volumeMounts?.find((m) => m.name === 'source'), { name: 'source', mountPath: '/imagespec/source', readOnly: true });
    for (const other of [byName(pod.spec?.initContainers, 'context')!, byName(pod.spec?.containers, 'push')!]) {
      assert.ok(!other.volumeMounts?.some((m) => m.name === 'source'), `${other.name} does not see the claim`);
    }
  });

  it('mounts nothing for other builds', () => {
    assert.ok(!buildPod(jobWith(), configFrom(), CONTEXT_URL).spec?.volumes?.some((v) => v.name === 'source'));
  });
});

describe('buildPod of a Dockerfile build from an archive URL', () => {
  const href = 'https://example.com/src/app-1.2.tar.gz';
  const sha256 = 'a'.repeat(64);
  const archiveJob = () => jobWith({ baseImage: undefined, build: { context: { url: { href, sha256, path: 'app-1.2' } }, dockerfile: 'Dockerfile' } });

  it('downloads it in a step of its own between the context and build steps, holding no credential, with the build step\'s proxies', () => {
    const pod = buildPod(archiveJob(), configFrom({ IMAGESPEC_BUILD_HTTPS_PROXY: 'http://proxy.example.com:3128', IMAGESPEC_BUILD_CONTEXT_URL_MAX_MIB: '64' }), CONTEXT_URL);
    assert.deepEqual(pod.spec?.initContainers?.map((c) => c.name), ['context', 'source', 'build']);
    const source = byName(pod.spec?.initContainers, 'source')!;
    assert.deepEqual(source.command?.slice(3), ['source', href, sha256, String(64 * 1024 * 1024), '/imagespec/source', '/dev/termination-log']);
    assert.deepEqual(source.volumeMounts, [{ name: 'source', mountPath: '/imagespec/source' }]);
    assert.deepEqual(source.securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    assert.deepEqual(source.env, byName(pod.spec?.initContainers, 'build')!.env);
    assert.ok(source.env?.some((e) => e.name === 'HTTPS_PROXY'));
    assert.equal(source.envFrom, undefined);
    assert.equal(pod.spec?.volumes?.find((v) => v.name === 'source')?.emptyDir !== undefined, true);
    const build = byName(pod.spec?.initContainers, 'build')!;
    assert.deepEqual(build.volumeMounts?.find((m) => m.name === 'source'), { name: 'source', mountPath: '/imagespec/source', readOnly: true });
    assert.ok(!byName(pod.spec?.containers, 'push')!.volumeMounts?.some((m) => m.name === 'source'));
  });

  it('no other build has the step', () => {
    assert.deepEqual(buildPod(jobWith(), configFrom(), CONTEXT_URL).spec?.initContainers?.map((c) => c.name), ['context', 'build']);
  });
});

describe('buildPod with the registry layer cache', () => {
  it('projects a token for the cache\'s audience into the build step alone, valid for the whole build', () => {
    const pod = buildPod(jobWith(), configFrom({ IMAGESPEC_BUILD_REGISTRY_CACHE: 'true', IMAGESPEC_BUILD_TIMEOUT_SECONDS: '3600' }), CONTEXT_URL);
    const volume = pod.spec?.volumes?.find((v) => v.name === 'cache-token');
    assert.deepEqual(volume?.projected?.sources, [{ serviceAccountToken: { audience: 'imagespec-cache', expirationSeconds: 4200, path: 'token' } }]);
    assert.equal(volume?.projected?.defaultMode, 0o400);
    const build = byName(pod.spec?.initContainers, 'build')!;
    assert.deepEqual(build.volumeMounts?.find((m) => m.name === 'cache-token'), { name: 'cache-token', mountPath: '/imagespec/cache-token', readOnly: true });
    for (const other of [byName(pod.spec?.initContainers, 'context')!, byName(pod.spec?.containers, 'push')!]) {
      assert.ok(!other.volumeMounts?.some((m) => m.name === 'cache-token'), `${other.name} has no cache token`);
    }
  });

  it('has no cache token when the cache is off', () => {
    assert.ok(!buildPod(jobWith(), configFrom(), CONTEXT_URL).spec?.volumes?.some((v) => v.name === 'cache-token'));
  });
});
