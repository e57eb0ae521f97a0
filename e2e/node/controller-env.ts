// The admin settings (.env format, read by config/load.ts through IMAGESPEC_ENV_FILE) that point
// the controller at the node: push to the authenticated loopback registry, pull bases from the
// other one over plain HTTP, build with the locally built builder image on the host network.
import { writeFileSync } from 'node:fs';
import type { RegistryCredentials } from './registry.ts';
import { buildSeccompProfileName } from './seccomp.ts';

export interface ControllerEnvInput {
  pushRegistry: string;
  /** `<pushRegistry>/<path>`: built images are `<repoPrefix>/<namespace>/<imagespec name>:<revision>`. */
  repoPrefix: string;
  credentials: RegistryCredentials;
  baseRegistry: string;
  builderImage: string;
  /** Node directory for buildah's storage between builds; absent: every build starts cold. */
  buildCache?: string;
}

/** Variables in a fixed order; values never contain spaces, quotes or newlines. */
export function controllerEnvVariables(input: ControllerEnvInput): [string, string][] {
  return [
    ['IMAGESPEC_REGISTRY_ENDPOINT', input.pushRegistry],
    ['IMAGESPEC_REPO_PREFIX', input.repoPrefix],
    ['IMAGESPEC_REGISTRY_USERNAME', input.credentials.username],
    ['IMAGESPEC_REGISTRY_PASSWORD', input.credentials.password],
    ['IMAGESPEC_REGISTRY_INSECURE', 'true'],
    ['IMAGESPEC_INSECURE_REGISTRIES', input.baseRegistry],
    // One image has buildah for the build step and tar and curl for the push step.
    ['IMAGESPEC_BUILDAH_IMAGE', input.builderImage],
    ['IMAGESPEC_PUSH_IMAGE', input.builderImage],
    ['IMAGESPEC_IMAGE_PULL_POLICY', 'IfNotPresent'],
    // The node has no pod network (see cni.ts): builds reach the registries on the host's loopback.
    ['IMAGESPEC_BUILD_HOST_NETWORK', 'true'],
    // The project's own profile, installed in the kubelet's seccomp directory (seccomp.ts).
    ['IMAGESPEC_BUILD_SECCOMP_PROFILE', `Localhost:${buildSeccompProfileName}`],
    // Unchanged base and apt layers are reused from the node's storage, without the build step
    // ever holding registry credentials (which a registry cache would need).
    ...(input.buildCache ? ([['IMAGESPEC_BUILD_CACHE', `hostPath:${input.buildCache}`]] as [string, string][]) : []),
  ];
}

export function renderControllerEnv(input: ControllerEnvInput): string {
  const header = [
    '# Written by e2e/node when the local node starts: the loopback registries and the locally built',
    '# builder image. The password is a test value generated for this .cluster directory.',
  ];
  const lines = controllerEnvVariables(input).map(([name, value]) => {
    if (/[\s"'#\\]/.test(value)) throw new Error(`${name}: value cannot be written to a .env file unquoted`);
    return `${name}=${value}`;
  });
  return `${[...header, ...lines].join('\n')}\n`;
}

export function writeControllerEnv(path: string, input: ControllerEnvInput): void {
  writeFileSync(path, renderControllerEnv(input), { mode: 0o600 });
}
