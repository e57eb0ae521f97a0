// The build step's environment: the admin's proxies (IMAGESPEC_BUILD_*_PROXY) and an ImageSpec's
// spec.env, limited to the names the admin allows (IMAGESPEC_BUILD_ENV_ALLOWED). Pure.
//
// The environment shapes how a build reaches the network, not what it builds, so it is not part
// of the revision. buildah uses the proxies for the base image pull and passes them to the RUN
// steps (its --http-proxy) without writing them into the image's configuration or history.
import type { V1EnvVar } from '@kubernetes/client-node';
import { escapeUnsafe } from '../../api/display.ts';
import type { EnvVar } from '../../api/types.ts';
import type { FieldError } from '../../api/validate.ts';
import type { BuildEnvConfig } from '../../config/types.ts';

/**
 * Tools disagree on the letter case they read (curl and apt only the lower case http_proxy, Go
 * both, pip both): the build step gets both, and either spelling in spec.env means the same one.
 */
const PROXY_VARIABLES = new Set(['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'FTP_PROXY', 'ALL_PROXY']);

function canonicalName(name: string): string {
  const upper = name.toUpperCase();
  return PROXY_VARIABLES.has(upper) ? upper : name;
}

function isAllowed(name: string, allowed: readonly string[]): boolean {
  const canonical = canonicalName(name);
  return allowed.some((entry) => canonicalName(entry) === canonical);
}

/** The spec.env entries the admin does not allow, as problems naming the field. */
export function envRefusals(env: readonly EnvVar[] | undefined, allowed: readonly string[]): FieldError[] {
  const which = allowed.length > 0 ? `the administrator allows ${allowed.join(', ')}` : 'the administrator allows no variable here';
  return (env ?? []).flatMap((entry, index) =>
    isAllowed(entry.name, allowed)
      ? []
      : [{ path: `spec.env[${index}].name`, message: `${JSON.stringify(escapeUnsafe(entry.name))} is not a variable this cluster lets an ImageSpec set (${which}; IMAGESPEC_BUILD_ENV_ALLOWED)` }],
  );
}

/**
 * The build container's environment: the admin's defaults, each overridden by the job's value of
 * the same name; names the admin does not allow (any more) are left out. Sorted, so the Pod is the
 * same whatever the order of spec.env.
 */
export function buildEnvironment(config: BuildEnvConfig, jobEnv: readonly EnvVar[] | undefined): V1EnvVar[] {
  const values = new Map<string, string>();
  for (const { name, value } of config.defaults) values.set(canonicalName(name), value);
  for (const { name, value } of jobEnv ?? []) if (isAllowed(name, config.allowed)) values.set(canonicalName(name), value);
  const env: V1EnvVar[] = [];
  for (const [name, value] of values) {
    env.push({ name, value });
    if (PROXY_VARIABLES.has(name)) env.push({ name: name.toLowerCase(), value });
  }
  return env.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
