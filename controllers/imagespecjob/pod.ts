// Pure builder of the build Pod of one ImageSpecJob.
//
// The Pod has three steps and no registry credential at all. The init container `context` fetches
// the build context (Dockerfile, package lists, scripts) the controller renders for the job into
// an emptyDir (context-step.ts); for an archive context, the init container `source` then
// downloads and unpacks the archive, holding nothing (source-step.ts). The init container `build`
// (buildah) pulls the base image (with the ImageSpec's own pull Secret, if any), builds and writes
// an OCI layout to an emptyDir. The container `push` streams that layout to the controller's upload
// endpoint; the controller pushes the image with the credential only it holds and answers with the
// digest, which the step reports as its termination message. The first and last steps prove who they are with a service account
// token bound to this Pod (audience imagespec-upload), projected into those two steps only.
//
// The Pod is the only object a build creates (no ConfigMap beside it), and it carries no context
// of its own: about 4 KB instead of 25, which every list, watch event and cache fill of build Pods
// (the controller's, the kubelet's, the API server's) pays for.
import type {
  V1Container,
  V1ObjectMeta,
  V1Pod,
  V1ResourceRequirements,
  V1SecurityContext,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { podName } from '../../api/names.ts';
import { controllerReference } from '../../api/owner-references.ts';
import { shortRevision } from '../../api/revision.ts';
import {
  ANNOTATION_REVISION,
  IMAGESPECJOB_KIND,
  LABEL_IMAGESPEC,
  LABEL_JOB,
  LABEL_MANAGED_BY,
  LABEL_REVISION,
  MANAGED_BY,
  type ImageSpecJob,
  type UrlContext,
} from '../../api/types.ts';
import type { BuildConfig, BuildResources, Config } from '../../config/types.ts';
import { BUILD_POD_PATHS, DOCKER_CONFIG_JSON_KEY } from '../../render/paths.ts';
import { buildEnvironment } from './build-env.ts';
import { CONTEXT_CONTAINER, CONTEXT_FETCH_SCRIPT } from './context-step.ts';
import { SOURCE_CONTAINER, SOURCE_DOWNLOAD_SCRIPT } from './source-step.ts';

export const BUILD_CONTAINER = 'build';
export const PUSH_CONTAINER = 'push';

const VOLUMES = {
  context: 'context',
  workspace: 'workspace',
  storage: 'storage',
  pullSecret: 'pull-secret',
  uploadToken: 'upload-token',
  source: 'source',
  cacheToken: 'cache-token',
} as const;

/** The audience of the context and push steps' token: the API server accepts it for nothing else. */
export const UPLOAD_TOKEN_AUDIENCE = 'imagespec-upload';
/** The audience of the build step's token for the layer cache (IMAGESPEC_BUILD_REGISTRY_CACHE). */
export const CACHE_TOKEN_AUDIENCE = 'imagespec-cache';
/** The shortest lifetime Kubernetes allows; the kubelet renews it at 80 % while the Pod runs. */
const UPLOAD_TOKEN_SECONDS = 600;

// Readable by root only: the Secret files hold registry credentials.
const SECRET_FILE_MODE = 0o400;

export function childLabels(job: ImageSpecJob): Record<string, string> {
  return {
    [LABEL_IMAGESPEC]: job.spec.imageSpecName,
    [LABEL_REVISION]: shortRevision(job.spec.revision),
    [LABEL_JOB]: job.metadata.name!,
    [LABEL_MANAGED_BY]: MANAGED_BY,
  };
}

function podMetadata(job: ImageSpecJob): V1ObjectMeta {
  return {
    name: podName(job.metadata.name!),
    namespace: job.metadata.namespace,
    labels: childLabels(job),
    annotations: { [ANNOTATION_REVISION]: job.spec.revision },
    ownerReferences: [controllerReference(IMAGESPECJOB_KIND, job)],
  };
}

/**
 * Where build Pods of earlier versions carried their context: `context.imagespec.dev/<file name>`.
 * The Pod cache still drops these annotations from Pods created before an upgrade.
 */
export const CONTEXT_ANNOTATION_PREFIX = 'context.imagespec.dev/';

function quantities(entries: Record<string, string | undefined>): Record<string, string> | undefined {
  const defined = Object.entries(entries).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '');
  return defined.length > 0 ? Object.fromEntries(defined) : undefined;
}

function resourceRequirements(resources: BuildResources): V1ResourceRequirements {
  const requests = quantities({
    cpu: resources.cpuRequest,
    memory: resources.memoryRequest,
    'ephemeral-storage': resources.ephemeralStorageRequest,
  });
  const limits = quantities({
    cpu: resources.cpuLimit,
    memory: resources.memoryLimit,
    'ephemeral-storage': resources.ephemeralStorageLimit,
  });
  return { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
}

/**
 * What buildah needs with chroot isolation and without privileges, measured on the local node: it
 * runs the RUN steps in a user namespace of its own and maps root into it, which takes SETUID,
 * SETGID and SETFCAP (without SETFCAP writing /proc/N/uid_map fails with "operation not
 * permitted"); every other default capability can go, and no_new_privs holds. seccomp must still
 * allow unshare(CLONE_NEWUSER): RuntimeDefault refuses it ("Error during unshare(CLONE_NEWUSER):
 * Operation not permitted"), so the default profile stays Unconfined (IMAGESPEC_BUILD_SECCOMP_PROFILE).
 * Other isolations (oci runs runc inside) and privileged builds keep the runtime's defaults.
 */
export const CHROOT_BUILD_CAPABILITIES = ['SETUID', 'SETGID', 'SETFCAP'] as const;

function buildSecurityContext(build: BuildConfig): V1SecurityContext {
  const { privileged, seccompProfile, seccompLocalhostProfile, isolation } = build.security;
  const confined = !privileged && isolation === 'chroot';
  return {
    ...(privileged ? { privileged: true } : {}),
    ...(confined ? { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: [...CHROOT_BUILD_CAPABILITIES] } } : {}),
    seccompProfile: {
      type: seccompProfile,
      ...(seccompProfile === 'Localhost' && seccompLocalhostProfile ? { localhostProfile: seccompLocalhostProfile } : {}),
    },
  };
}

// The context and push steps only fetch, read files and talk to the controller: they need no capability at all.
const PUSH_SECURITY_CONTEXT: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

function dockerConfigSecretVolume(volumeName: string, secretName: string): V1Volume {
  return {
    name: volumeName,
    secret: {
      secretName,
      items: [{ key: DOCKER_CONFIG_JSON_KEY, path: DOCKER_CONFIG_JSON_KEY }],
      defaultMode: SECRET_FILE_MODE,
    },
  };
}

/** The Pod's own service account token, for the controller's upload endpoint only. */
function uploadTokenVolume(): V1Volume {
  return {
    name: VOLUMES.uploadToken,
    projected: {
      defaultMode: SECRET_FILE_MODE,
      sources: [{ serviceAccountToken: { audience: UPLOAD_TOKEN_AUDIENCE, expirationSeconds: UPLOAD_TOKEN_SECONDS, path: 'token' } }],
    },
  };
}

function step(name: string, image: string, script: string, mounts: V1VolumeMount[], config: Config): V1Container {
  return {
    name,
    image,
    imagePullPolicy: config.build.imagePullPolicy,
    command: ['/bin/sh', `${BUILD_POD_PATHS.context}/${script}`],
    volumeMounts: mounts,
    // Both steps run one after the other, so equal resources cost the Pod nothing extra.
    resources: resourceRequirements(config.build.resources),
    terminationMessagePath: BUILD_POD_PATHS.terminationLog,
    // The scripts write reason=... themselves; if a step dies before it can, the log tail is used.
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

/** buildah's storage: kept between builds when the admin configured a cache, else per build. */
function storageVolume(build: BuildConfig, namespace: string): V1Volume {
  const cache = build.cache;
  // One directory per namespace: a namespace's cached layers are never offered to another's builds.
  if (cache && 'hostPath' in cache) {
    return { name: VOLUMES.storage, hostPath: { path: `${cache.hostPath}/${namespace}`, type: 'DirectoryOrCreate' } };
  }
  if (cache) return { name: VOLUMES.storage, persistentVolumeClaim: { claimName: cache.claimName } };
  return { name: VOLUMES.storage, emptyDir: {} };
}

/** The proxies and spec.env, for the build step only: the push step talks to the controller alone. */
function buildEnv(build: BuildConfig, job: ImageSpecJob): Pick<V1Container, 'env'> {
  const env = buildEnvironment(build.env, job.spec.env);
  return env.length > 0 ? { env } : {};
}

/** The context step: fetches the job's build context from `contextUrl` into the context volume. */
function contextStep(config: Config, contextUrl: string): V1Container {
  return {
    name: CONTEXT_CONTAINER,
    image: config.build.pushImage,
    imagePullPolicy: config.build.imagePullPolicy,
    command: ['/bin/sh', '-c', CONTEXT_FETCH_SCRIPT, CONTEXT_CONTAINER, contextUrl, BUILD_POD_PATHS.uploadToken, BUILD_POD_PATHS.context, BUILD_POD_PATHS.terminationLog],
    volumeMounts: [
      { name: VOLUMES.context, mountPath: BUILD_POD_PATHS.context },
      { name: VOLUMES.uploadToken, mountPath: BUILD_POD_PATHS.uploadTokenDir, readOnly: true },
    ],
    resources: resourceRequirements(config.build.resources),
    terminationMessagePath: BUILD_POD_PATHS.terminationLog,
    terminationMessagePolicy: 'FallbackToLogsOnError',
    securityContext: PUSH_SECURITY_CONTEXT,
  };
}

/**
 * The download step of an archive context (spec.build.context.url): no credential, no token, only
 * the build step's environment (proxies), and the one volume it unpacks into.
 */
function sourceStep(config: Config, job: ImageSpecJob, url: UrlContext): V1Container {
  const maxBytes = config.build.contextUrlMaxMib * 1024 * 1024;
  return {
    name: SOURCE_CONTAINER,
    image: config.build.pushImage,
    imagePullPolicy: config.build.imagePullPolicy,
    command: ['/bin/sh', '-c', SOURCE_DOWNLOAD_SCRIPT, SOURCE_CONTAINER, url.href, url.sha256, String(maxBytes), BUILD_POD_PATHS.source, BUILD_POD_PATHS.terminationLog],
    ...buildEnv(config.build, job),
    volumeMounts: [{ name: VOLUMES.source, mountPath: BUILD_POD_PATHS.source }],
    resources: resourceRequirements(config.build.resources),
    terminationMessagePath: BUILD_POD_PATHS.terminationLog,
    terminationMessagePolicy: 'FallbackToLogsOnError',
    securityContext: PUSH_SECURITY_CONTEXT,
  };
}

/**
 * The build step's token for the layer cache (IMAGESPEC_BUILD_REGISTRY_CACHE): bound to this Pod,
 * for the cache's audience only, and valid for the whole build (buildah reads it once, at the start).
 */
function cacheTokenVolume(build: BuildConfig): V1Volume {
  return {
    name: VOLUMES.cacheToken,
    projected: {
      defaultMode: SECRET_FILE_MODE,
      sources: [{ serviceAccountToken: { audience: CACHE_TOKEN_AUDIENCE, expirationSeconds: Math.max(UPLOAD_TOKEN_SECONDS, build.timeoutSeconds + UPLOAD_TOKEN_SECONDS), path: 'token' } }],
    },
  };
}

/** The build Pod of `job`; its first step fetches the build context from `contextUrl`. */
export function buildPod(job: ImageSpecJob, config: Config, contextUrl: string): V1Pod {
  const { build } = config;
  const contextMount: V1VolumeMount = { name: VOLUMES.context, mountPath: BUILD_POD_PATHS.context, readOnly: true };
  const claim = job.spec.build?.context.persistentVolumeClaim;
  const archive = job.spec.build?.context.url;

  const buildMounts: V1VolumeMount[] = [
    contextMount,
    { name: VOLUMES.workspace, mountPath: BUILD_POD_PATHS.workspace },
    { name: VOLUMES.storage, mountPath: BUILD_POD_PATHS.storageRoot },
    ...(job.spec.pullSecret ? [{ name: VOLUMES.pullSecret, mountPath: BUILD_POD_PATHS.pullSecretDir, readOnly: true }] : []),
    // The whole claim: build.sh finds spec.build.context.persistentVolumeClaim.path in it and says
    // so when it is missing (a read-only subPath that does not exist keeps the step from starting).
    // An archive's files, as the download step unpacked them.
    ...(claim || archive ? [{ name: VOLUMES.source, mountPath: BUILD_POD_PATHS.source, readOnly: true }] : []),
    ...(build.registryCache ? [{ name: VOLUMES.cacheToken, mountPath: BUILD_POD_PATHS.cacheTokenDir, readOnly: true }] : []),
  ];
  const pushMounts: V1VolumeMount[] = [
    contextMount,
    { name: VOLUMES.workspace, mountPath: BUILD_POD_PATHS.workspace, readOnly: true },
    { name: VOLUMES.uploadToken, mountPath: BUILD_POD_PATHS.uploadTokenDir, readOnly: true },
  ];

  const volumes: V1Volume[] = [
    { name: VOLUMES.context, emptyDir: {} },
    { name: VOLUMES.workspace, emptyDir: {} },
    storageVolume(build, job.metadata.namespace!),
    ...(job.spec.pullSecret ? [dockerConfigSecretVolume(VOLUMES.pullSecret, job.spec.pullSecret)] : []),
    uploadTokenVolume(),
    // The tenant's own claim (spec.build.context.persistentVolumeClaim), read-only, in the build step only.
    ...(claim ? [{ name: VOLUMES.source, persistentVolumeClaim: { claimName: claim.claimName, readOnly: true } }] : []),
    ...(archive ? [{ name: VOLUMES.source, emptyDir: {} }] : []),
    ...(build.registryCache ? [cacheTokenVolume(build)] : []),
  ];

  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: podMetadata(job),
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: build.timeoutSeconds,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(build.serviceAccountName ? { serviceAccountName: build.serviceAccountName } : {}),
      ...(build.hostNetwork ? { hostNetwork: true } : {}),
      ...(Object.keys(build.nodeSelector).length > 0 ? { nodeSelector: { ...build.nodeSelector } } : {}),
      initContainers: [
        contextStep(config, contextUrl),
        ...(archive ? [sourceStep(config, job, archive)] : []),
        { ...step(BUILD_CONTAINER, build.buildahImage, 'build.sh', buildMounts, config), ...buildEnv(build, job), securityContext: buildSecurityContext(build) },
      ],
      containers: [{ ...step(PUSH_CONTAINER, build.pushImage, 'push.sh', pushMounts, config), securityContext: PUSH_SECURITY_CONTEXT }],
      volumes,
    },
  };
}
