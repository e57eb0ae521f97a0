// A tenant's push credential from a kubernetes.io/dockerconfigjson Secret (spec.output.pushSecret):
// the entry for one registry, with `auth` (base64 user:password) or `username` and `password`, as
// docker login and kubectl create secret docker-registry write them. Pure; messages never quote a
// value of the Secret.
import type { RegistryCredentials } from './client.ts';

export type DockerConfigCredentials = { ok: true; credentials: RegistryCredentials } | { ok: false; error: string };

/** Docker Hub's entries are written under several names. */
const DOCKER_HUB = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];

/** An auths key as the registry host[:port] it names: without scheme and path. */
function hostOfKey(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
}

function sameRegistry(key: string, registry: string): boolean {
  const host = hostOfKey(key);
  const wanted = registry.toLowerCase();
  return host === wanted || (DOCKER_HUB.includes(host) && DOCKER_HUB.includes(wanted));
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function credentialsFromDockerConfig(json: string, registry: string): DockerConfigCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { ok: false, error: 'its .dockerconfigjson is not JSON' };
  }
  const auths = isObject(parsed) && isObject(parsed.auths) ? parsed.auths : undefined;
  if (!auths) return { ok: false, error: 'its .dockerconfigjson has no "auths" map' };
  const entry = Object.entries(auths).find(([key]) => sameRegistry(key, registry))?.[1];
  if (!isObject(entry)) return { ok: false, error: `it has no entry for the registry ${registry}` };
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return { ok: false, error: `its entry for ${registry} has an "auth" that is not base64 of user:password` };
    return { ok: true, credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } };
  }
  if (typeof entry.username === 'string' && entry.username !== '' && typeof entry.password === 'string') {
    return { ok: true, credentials: { username: entry.username, password: entry.password } };
  }
  return { ok: false, error: `its entry for ${registry} has neither "auth" nor "username" and "password"` };
}
