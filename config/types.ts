// The controller's validated configuration (from the process environment and .env).

import type { EnvVar } from '../api/types.ts';
import type { ContextSourceKind } from '../api/context-sources.ts';

export { CONTEXT_SOURCE_KINDS, type ContextSourceKind } from '../api/context-sources.ts';

export interface RegistryConfig {
  /** host[:port] of the registry, without scheme, e.g. "127.0.0.1:5000". */
  endpoint: string;
  username?: string;
  password?: string;
  /** "<endpoint>/<path>": target images are "<repoPrefix>/<namespace>/<imagespec name>:<revision>". */
  repoPrefix?: string;
  /** Single-repository mode: target images are "<pushRepo>:<namespace>_<imagespec name>-<revision>". */
  pushRepo?: string;
  /** namespaced (also when unset): the namespace is part of every image path; flat (single-tenant clusters only): it is not. */
  imagePath?: 'namespaced' | 'flat';
  /** Unverified HTTPS, falling back to plain HTTP, for this registry. */
  insecure: boolean;
}

export interface BuildResources {
  cpuRequest?: string;
  cpuLimit?: string;
  memoryRequest?: string;
  memoryLimit?: string;
  ephemeralStorageRequest?: string;
  ephemeralStorageLimit?: string;
}

export interface BuildSecurity {
  /** Run the build container privileged (off by default; not needed with chroot isolation). */
  privileged: boolean;
  /** Seccomp profile type for the build container: Unconfined | RuntimeDefault | Localhost. */
  seccompProfile: 'Unconfined' | 'RuntimeDefault' | 'Localhost';
  seccompLocalhostProfile?: string;
  /** buildah --isolation */
  isolation: 'chroot' | 'oci' | 'rootless';
  /** buildah --storage-driver */
  storageDriver: 'vfs' | 'overlay';
}

/** The build step's environment (controllers/imagespecjob/build-env.ts). */
export interface BuildEnvConfig {
  /** The admin's values (the proxies), set in every build unless the ImageSpec sets the same name. */
  defaults: EnvVar[];
  /** The names an ImageSpec's spec.env may set. */
  allowed: string[];
}


export interface BuildConfig {
  buildahImage: string;
  pushImage: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  timeoutSeconds: number;
  /** A build whose node has not been Ready this long is ended NodeLost; 0: never. */
  nodeLostSeconds: number;
  resources: BuildResources;
  security: BuildSecurity;
  /** Storage kept between builds for buildah's layers; undefined: an emptyDir per build. */
  cache?: { hostPath: string } | { claimName: string };
  /** Build Pods use the node's network (for clusters without a CNI). */
  hostNetwork: boolean;
  /** Registries (host[:port]) reached over plain HTTP by pulls and pushes, besides the push registry. */
  insecureRegistries: string[];
  /** Registries (host[:port]) reached over HTTPS without verification. */
  skipTlsVerifyRegistries: string[];
  env: BuildEnvConfig;
  /** The spec.build.context sources tenants may use; empty: no Dockerfile builds. */
  contextSources: ContextSourceKind[];
  /** Layers cached in <repoPrefix>/<namespace>/build_cache, reached through the build endpoint. */
  registryCache: boolean;
  /** The largest spec.build.context.url archive, downloaded and unpacked, in MiB. */
  contextUrlMaxMib: number;
  /** Optional node selector for build Pods, "k=v,k2=v2". */
  nodeSelector: Record<string, string>;
  serviceAccountName?: string;
}

export interface LeaderElectionConfig {
  /** Off: this process leads at once, as the only replica. */
  enabled: boolean;
  /** Namespace of the Lease; undefined: POD_NAMESPACE, else the service account's namespace, else "default". */
  namespace?: string;
  leaseName: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
}

export interface HttpConfig {
  /** Port of /healthz, /readyz and /metrics; 0: any free port. */
  port: number;
  /** Where the bound port is written, for exec probes. */
  portFile?: string;
}

export interface UploadConfig {
  /** Port build Pods upload built images to; 0: any free port. */
  port: number;
  /** Base URL build Pods use; undefined: http://127.0.0.1:<bound port> (filled in at start). */
  url?: string;
}

export interface Config {
  /** undefined when the admin has not configured a registry: ImageSpecs report RegistryNotConfigured. */
  registry?: RegistryConfig;
  build: BuildConfig;
  historySucceeded: number;
  historyFailed: number;
  /** Namespaces to watch; empty means all. */
  namespaces: string[];
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  logFormat: 'json' | 'text';
  /** Which Events are recorded (controllers/runtime/event-policy.ts). */
  events: EventPolicy;
  /** Registries or repository prefixes (host[:port][/path]) spec.output may push to. */
  outputAllowed: string[];
  /** IMAGESPEC_REGISTRY_CA_FILE: the path as configured, and the PEM bundle read from it (config/load.ts). */
  registryCa?: { file: string; pem?: string };
  /** Directory whose *.hbs files override the built-in templates. */
  templatesDir?: string;
  resyncSeconds: number;
  workers: number;
  /** Client-side rate limit of API requests (controllers/runtime/request-limiter.ts). */
  kubeApi: { qps: number; burst: number };
  http: HttpConfig;
  upload: UploadConfig;
  leaderElection: LeaderElectionConfig;
  /** Bound on waiting for running reconciles at shutdown. */
  shutdownTimeoutSeconds: number;
  /** Sentences about settings that were given but are no longer used (logged at start). */
  retired: string[];
}

export type EventPolicy = 'warnings' | 'all' | 'none';
