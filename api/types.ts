// The imagespec.dev/v1alpha1 API as TypeScript types. api/crd-schema.ts is the authoritative
// schema (crds/*.yaml are generated from it); these types mirror it for the controller and the CLI.
import type { Phase } from './phases.ts';

export const GROUP = 'imagespec.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const IMAGESPEC_KIND = 'ImageSpec';
export const IMAGESPEC_PLURAL = 'imagespecs';
export const IMAGESPECJOB_KIND = 'ImageSpecJob';
export const IMAGESPECJOB_PLURAL = 'imagespecjobs';

/** Labels and annotations the controller sets on every object it creates. */
export const LABEL_IMAGESPEC = 'imagespec.dev/imagespec';
export const LABEL_REVISION = 'imagespec.dev/revision';
export const LABEL_JOB = 'imagespec.dev/imagespecjob';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'imagespec-controller';
/** The controller's build Pods: what its Pod cache lists and watches. */
export const BUILD_POD_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY},${LABEL_JOB}`;
export const ANNOTATION_REVISION = 'imagespec.dev/revision';
/** When the controller created an ImageSpecJob, to the millisecond (creationTimestamp has seconds). */
export const ANNOTATION_CREATED_AT = 'imagespec.dev/created-at';
/** Set on an ImageSpecJob (metadata, so its immutable spec stays untouched) to cancel it. */
export const ANNOTATION_CANCEL = 'imagespec.dev/cancel';

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | Date;
  deletionTimestamp?: string | Date;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface Packages {
  apt?: string[];
  pip?: string[];
  conda?: string[];
}

/** A build argument: `ARG name` in the Dockerfile, `--build-arg name=value` for the build. */
export interface BuildArg {
  name: string;
  value: string;
}

/** Build arguments in their one order, by name: the list is keyed by name, its order means nothing. */
export function sortedBuildArgs(args: readonly BuildArg[]): BuildArg[] {
  return [...args].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * A variable of the build step's environment (spec.env), such as HTTP_PROXY: it shapes how the
 * build reaches the network, not what the image contains, so it is not part of the revision.
 */
export interface EnvVar {
  name: string;
  value: string;
}

/**
 * Where the image goes instead of the admin's registry (T9k spec.tag + spec.dockerConfig.secret,
 * kaniko-shim OUTPUT_IMAGE + DOCKER_CONFIG_JSON), within what the admin allows.
 */
export interface ImageSpecOutput {
  /** repository[:tag]; the tag defaults to the revision. */
  image: string;
  /** A kubernetes.io/dockerconfigjson Secret of the ImageSpec's namespace, for the push only. */
  pushSecret?: string;
}

/**
 * A ConfigMap of the ImageSpec's namespace as the build context: each key a file at the top of the
 * context (ConfigMap keys hold no directories), binaryData included. Its content is part of the revision.
 */
export interface ConfigMapContext {
  name: string;
}

/**
 * A PersistentVolumeClaim of the ImageSpec's namespace (T9k workspace.pvc and contextPath), mounted
 * read-only into the build step; `path` is the context's directory in the volume. Its content is
 * not visible to the controller: spec.updateTime rebuilds it.
 */
export interface PersistentVolumeClaimContext {
  claimName: string;
  path?: string;
}

/**
 * An archive (tar.gz, tar or zip) on an http(s) server (kaniko-shim SOURCE_GET_URL), downloaded by
 * a step of the build Pod that holds no credential and used only when its SHA-256 digest is
 * `sha256`; `path` is the context's directory in the archive. All three are part of the revision.
 */
export interface UrlContext {
  href: string;
  sha256: string;
  path?: string;
}

/** Where the files of a Dockerfile build come from: exactly one source. */
export interface BuildContextSource {
  configMap?: ConfigMapContext;
  persistentVolumeClaim?: PersistentVolumeClaimContext;
  url?: UrlContext;
}

/** A build from the user's own Dockerfile (T9k ImageBuilder, kaniko-shim), packages installed on top. */
export interface DockerfileBuild {
  context: BuildContextSource;
  /** The Dockerfile's path inside the context; `Dockerfile` when absent. */
  dockerfile?: string;
  /** The stage to build (--target); the last stage when absent. */
  target?: string;
}

export interface ImageSpecSpec {
  /** Required unless spec.build gives a Dockerfile, which names its own base image in FROM. */
  baseImage?: string;
  build?: DockerfileBuild;
  pullSecret?: string;
  packages?: Packages;
  /** Changing it rebuilds the same content (PrimeHub semantics). */
  updateTime?: string;
  buildArgs?: BuildArg[];
  env?: EnvVar[];
  output?: ImageSpecOutput;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export type ImageSpecPhase = Phase;
export type JobPhase = ImageSpecPhase;

export interface ImageSpecStatus {
  phase?: ImageSpecPhase;
  conditions?: Condition[];
  observedGeneration?: number;
  /** Full SHA-256 content hash of the current spec. */
  revision?: string;
  jobName?: string;
  /** The last successfully built image reference (kept while a newer revision builds). */
  image?: string;
  /** Digest of the manifest pushed for `image`. */
  digest?: string;
  message?: string;
}

export interface ImageSpec {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: ImageSpecSpec;
  status?: ImageSpecStatus;
}

/** The build context as the job was created with it: a ConfigMap's name and the digest of its content then, a claim, or an archive. */
export interface JobBuildContext {
  configMap?: { name: string; sha256: string };
  persistentVolumeClaim?: PersistentVolumeClaimContext;
  url?: UrlContext;
}

/** spec.build as the job builds it. */
export interface JobDockerfileBuild {
  context: JobBuildContext;
  dockerfile: string;
  target?: string;
}

/** A complete, immutable snapshot of one build's inputs. */
export interface ImageSpecJobSpec {
  imageSpecName: string;
  revision: string;
  /** Absent when the job builds a Dockerfile (build). */
  baseImage?: string;
  build?: JobDockerfileBuild;
  pullSecret?: string;
  packages: Required<Packages>;
  updateTime?: string;
  buildArgs?: BuildArg[];
  /** The ImageSpec's spec.env when the job was created (names the admin allows only). */
  env?: EnvVar[];
  /** Full reference the image is pushed to, e.g. registry.example.com/team/name:0123456789ab */
  targetImage: string;
  /** PrimeHub compatibility: the repository prefix the target was derived from. */
  repoPrefix?: string;
}

export interface ImageSpecJobStatus {
  phase?: JobPhase;
  conditions?: Condition[];
  podName?: string;
  startTime?: string;
  completionTime?: string;
  image?: string;
  digest?: string;
  reason?: string;
  message?: string;
}

export interface ImageSpecJob {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: ImageSpecJobSpec;
  status?: ImageSpecJobStatus;
}

/** Reasons used in conditions and ImageSpecJob.status.reason. */
export const Reasons = {
  // ImageSpec Ready condition
  Succeeded: 'Succeeded',
  Building: 'Building',
  Pending: 'Pending',
  InvalidSpec: 'InvalidSpec',
  PullSecretNotFound: 'PullSecretNotFound',
  // spec.build.context names a ConfigMap that does not exist in the namespace
  ContextNotFound: 'ContextNotFound',
  // spec.build.context uses a source kind the admin turned off (IMAGESPEC_BUILD_CONTEXT_SOURCES)
  ContextSourceNotAllowed: 'ContextSourceNotAllowed',
  RegistryNotConfigured: 'RegistryNotConfigured',
  // spec.env names a variable the admin does not allow (IMAGESPEC_BUILD_ENV_ALLOWED)
  EnvNotAllowed: 'EnvNotAllowed',
  // spec.output.image is outside what the admin allows (IMAGESPEC_OUTPUT_ALLOWED)
  OutputNotAllowed: 'OutputNotAllowed',
  PushSecretNotFound: 'PushSecretNotFound',
  // The registry already had the revision's image: nothing was built
  AlreadyBuilt: 'AlreadyBuilt',
  // Build failures, set by the build Pod's steps
  ContextFetchFailed: 'ContextFetchFailed',
  // The ConfigMap context no longer held the revision's content when the build fetched it (the
  // new content is a revision of its own)
  ContextChanged: 'ContextChanged',
  // spec.build.context.url: the archive could not be downloaded, was larger than the admin allows,
  // did not have the digest spec.build.context.url.sha256 names, or could not be unpacked
  ArchiveDownloadFailed: 'ArchiveDownloadFailed',
  ArchiveTooLarge: 'ArchiveTooLarge',
  ArchiveDigestMismatch: 'ArchiveDigestMismatch',
  ArchiveUnpackFailed: 'ArchiveUnpackFailed',
  // The Dockerfile named by spec.build.dockerfile is not in the build context
  DockerfileNotFound: 'DockerfileNotFound',
  BaseImagePullFailed: 'BaseImagePullFailed',
  AptInstallFailed: 'AptInstallFailed',
  CondaInstallFailed: 'CondaInstallFailed',
  PipInstallFailed: 'PipInstallFailed',
  BuildFailed: 'BuildFailed',
  PushFailed: 'PushFailed',
  // Build failures reported by Kubernetes
  DeadlineExceeded: 'DeadlineExceeded',
  OOMKilled: 'OOMKilled',
  PodEvicted: 'PodEvicted',
  PodDeleted: 'PodDeleted',
  NodeLost: 'NodeLost',
  BuilderImagePullFailed: 'BuilderImagePullFailed',
  // An ImageSpecJob the controller did not create from an ImageSpec (or no longer would)
  NotControlled: 'NotControlled',
  // Cancellation
  Superseded: 'Superseded',
  Cancelled: 'Cancelled',
} as const;
export type Reason = (typeof Reasons)[keyof typeof Reasons];
