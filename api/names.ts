// Deterministic names of the objects and images built from an ImageSpec.
import { createHash } from 'node:crypto';
import type { RegistryConfig } from '../config/types.ts';
import { PATTERNS } from './grammar.ts';
import { shortRevision } from './revision.ts';

/** Kubernetes' limit for DNS-1123 labels (and label values). */
export const MAX_NAME_LENGTH = 63;
/** Hex characters of the hash inserted into shortened names: 40 bits. */
const NAME_HASH_LENGTH = 10;

const DNS_LABEL = new RegExp(PATTERNS.dnsLabel);

function hex(text: string, length: number): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, length);
}

/** Lowercase, characters outside [a-z0-9-] become '-', no leading or trailing '-'. */
function sanitize(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+/, '').replace(/-+$/, '');
}

/**
 * `<prefix>-<suffix>` when that is a DNS-1123 label of at most 63 characters. Otherwise (too long,
 * or a prefix with dots) the prefix is sanitised and truncated and a hash of the full name is
 * inserted: `<prefix...>-<hash10>-<suffix>`. Deterministic; two distinct inputs get distinct
 * names (the hash covers the whole original name), and the suffix always stays readable.
 */
export function childName(prefix: string, suffix: string): string {
  const full = `${prefix}-${suffix}`;
  if (full.length <= MAX_NAME_LENGTH && DNS_LABEL.test(full)) return full;
  const hash = hex(full, NAME_HASH_LENGTH);
  const tail = sanitize(suffix).slice(0, MAX_NAME_LENGTH - NAME_HASH_LENGTH - 2);
  const room = MAX_NAME_LENGTH - hash.length - (tail ? tail.length + 1 : 0) - 1;
  const head = sanitize(prefix).slice(0, Math.max(room, 0)).replace(/-+$/, '');
  return [head, hash, tail].filter((part) => part !== '').join('-');
}

/** The ImageSpecJob of one revision: `<imagespec>-<rev12>`. */
export function jobName(imageSpecName: string, revision: string): string {
  return childName(imageSpecName, shortRevision(revision));
}

/** The build Pod of a job: `<job>-build`. */
export function podName(jobName: string): string {
  return childName(jobName, 'build');
}

/** OCI's limit for tags: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. */
export const MAX_TAG_LENGTH = 128;

/**
 * `<head>-<rev12>` when at most 128 characters; otherwise the head is truncated and a hash of the
 * whole tag inserted, `<head...>-<hash10>-<rev12>`, so distinct heads keep distinct tags.
 */
function boundedTag(head: string, short: string): string {
  const full = `${head}-${short}`;
  if (full.length <= MAX_TAG_LENGTH) return full;
  const room = MAX_TAG_LENGTH - NAME_HASH_LENGTH - short.length - 2;
  return `${head.slice(0, room).replace(/[-.]+$/, '')}-${hex(full, NAME_HASH_LENGTH)}-${short}`;
}

/**
 * Where a revision's image is pushed. By default the namespace is part of it, so two namespaces
 * never share a repository: `<repoPrefix>/<namespace>/<imagespec>:<rev12>`, or in single-repository
 * mode (registries where each repository must be created first, such as ECR or Docker Hub)
 * `<pushRepo>:<namespace>_<imagespec>-<rev12>`. The `_` cannot occur in a namespace or an
 * ImageSpec name, so namespace `team` with `a-web` and namespace `team-a` with `web` stay apart.
 * The flat path (`imagePath: flat`, PrimeHub's) leaves the namespace out, for single-tenant
 * clusters. The repository prefix defaults to the registry endpoint.
 */
export function targetImage(registry: RegistryConfig, namespace: string, imageSpecName: string, revision: string): string {
  const short = shortRevision(revision);
  const flat = registry.imagePath === 'flat';
  if (registry.pushRepo) {
    const repository = registry.pushRepo.replace(/\/+$/, '');
    return `${repository}:${boundedTag(flat ? imageSpecName : `${namespace}_${imageSpecName}`, short)}`;
  }
  const prefix = (registry.repoPrefix || registry.endpoint).replace(/\/+$/, '');
  return flat ? `${prefix}/${imageSpecName}:${short}` : `${prefix}/${namespace}/${imageSpecName}:${short}`;
}
