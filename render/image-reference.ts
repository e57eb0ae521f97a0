// Image references as they reach the Dockerfile and the build scripts.
// Validation upstream already checks references; this is the last guard before a value is written
// into a FROM line or a single-quoted shell word, so it accepts only characters neither can misread.

const SAFE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/;
const SAFE_HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$/;
const MAX_REFERENCE_LENGTH = 512;

export function assertSafeImageReference(field: string, reference: string): void {
  if (reference.length > MAX_REFERENCE_LENGTH || !SAFE_REFERENCE.test(reference)) {
    throw new Error(`${field}: ${JSON.stringify(reference)} is not an image reference that can be rendered safely`);
  }
}

export function assertSafeRegistryHost(field: string, host: string): void {
  if (!SAFE_HOST.test(host)) {
    throw new Error(`${field}: ${JSON.stringify(host)} is not a registry host[:port]`);
  }
}

/** The registry part of a reference, by the rule Docker uses: a first component with a dot, a port or "localhost". */
function splitDomain(reference: string): { domain: string | undefined; remainder: string } {
  const slash = reference.indexOf('/');
  if (slash === -1) return { domain: undefined, remainder: reference };
  const first = reference.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') {
    return { domain: first, remainder: reference.slice(slash + 1) };
  }
  return { domain: undefined, remainder: reference };
}

/**
 * `python:3.11` -> `docker.io/library/python:3.11`, `jupyter/base-notebook` -> `docker.io/jupyter/base-notebook`.
 * Builds never depend on short-name resolution (which differs between registries.conf files, and
 * refuses to guess without a terminal when several search registries are configured).
 */
export function qualifyImageReference(reference: string): string {
  const { domain, remainder } = splitDomain(reference);
  const registry = domain ?? 'docker.io';
  const path = registry === 'docker.io' && !remainder.includes('/') ? `library/${remainder}` : remainder;
  return `${registry}/${path}`;
}

/** The registry host[:port] a reference points at (docker.io for bare names). */
export function registryOf(reference: string): string {
  return splitDomain(reference).domain ?? 'docker.io';
}
