// The registry API the build endpoint serves for the layer cache (IMAGESPEC_BUILD_REGISTRY_CACHE).
// Pure: which requests it takes, and how their paths and answers map to the registry.
//
// buildah pushes each install step's layer as a cache image (--cache-to) and looks for them before
// running a step (--cache-from). Neither may happen with a registry credential in the build step,
// which runs the tenant's Dockerfile. So buildah talks to the controller as to a registry, at
// `<endpoint host>/<namespace>/build_cache`, proving with a token bound to its Pod which namespace
// it builds for; the controller forwards the request to `<repoPrefix>/<namespace>/build_cache` with
// its own credential. Only that one repository is reachable, only the distribution API calls a
// cache needs (no delete, no catalog, no cross-repository mount), and a Location the registry
// answers is turned back into the endpoint's own path.

export { CACHE_TOKEN_AUDIENCE } from '../imagespecjob/pod.ts';
/** An ImageSpec name cannot contain "_": the cache never shares a repository with an image. */
export const CACHE_REPOSITORY_NAME = 'build_cache';

/** The repository the build step names at the endpoint. */
export function cacheRepositoryAtEndpoint(namespace: string): string {
  return `${namespace}/${CACHE_REPOSITORY_NAME}`;
}

/** Where the cache of `namespace` is in the registry: host and repository path, from the prefix. */
export function upstreamCacheRepository(repoPrefix: string, namespace: string): { registry: string; repository: string } {
  const slash = repoPrefix.indexOf('/');
  const registry = slash < 0 ? repoPrefix : repoPrefix.slice(0, slash);
  const path = slash < 0 ? '' : repoPrefix.slice(slash + 1).replace(/\/+$/, '');
  return { registry, repository: `${path ? `${path}/` : ''}${namespace}/${CACHE_REPOSITORY_NAME}` };
}

/** A registry-style refusal: the status, the distribution API's error code and a sentence. */
export interface CacheRefusal {
  status: number;
  code: string;
  message: string;
}

export type CacheRequest =
  | { kind: 'ping' }
  | { kind: 'repository'; namespace: string; rest: string }
  | { kind: 'refused'; refusal: CacheRefusal };

const NAMESPACE = '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?';
const DIGEST = 'sha256:[a-f0-9]{64}';
const TAG_OR_DIGEST = `(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|${DIGEST})`;
const UPLOAD_ID = '[A-Za-z0-9_=.-]{1,256}';
const REPOSITORY_PATH = new RegExp(`^/v2/(${NAMESPACE})/${CACHE_REPOSITORY_NAME}/(.+)$`);

/** What each part of the API allows: everything a cache push and pull uses, nothing more. */
const OPERATIONS: Array<{ pattern: RegExp; methods: readonly string[] }> = [
  { pattern: new RegExp(`^manifests/${TAG_OR_DIGEST}$`), methods: ['GET', 'HEAD', 'PUT'] },
  { pattern: new RegExp(`^blobs/${DIGEST}$`), methods: ['GET', 'HEAD'] },
  { pattern: /^blobs\/uploads\/$/, methods: ['POST'] },
  { pattern: new RegExp(`^blobs/uploads/${UPLOAD_ID}$`), methods: ['GET', 'PATCH', 'PUT'] },
];

function refused(status: number, code: string, message: string): CacheRequest {
  return { kind: 'refused', refusal: { status, code, message } };
}

/** What a request asks of the cache; undefined when its path is not the registry API's (/v2/...). */
export function parseCacheRequest(method: string, pathname: string): CacheRequest | undefined {
  if (pathname !== '/v2' && !pathname.startsWith('/v2/')) return undefined;
  if (pathname === '/v2' || pathname === '/v2/') {
    return method === 'GET' || method === 'HEAD' ? { kind: 'ping' } : refused(405, 'UNSUPPORTED', 'Only GET /v2/');
  }
  const match = REPOSITORY_PATH.exec(pathname);
  if (!match) return refused(404, 'NAME_UNKNOWN', `The build endpoint serves only the layer cache, <namespace>/${CACHE_REPOSITORY_NAME}`);
  const rest = match[3]!;
  const operation = OPERATIONS.find((candidate) => candidate.pattern.test(rest));
  if (!operation) return refused(404, 'UNSUPPORTED', 'Not a request the layer cache serves');
  if (!operation.methods.includes(method)) return refused(405, 'UNSUPPORTED', `Only ${operation.methods.join(', ')} here`);
  return { kind: 'repository', namespace: match[1]!, rest };
}

/**
 * The query sent on to the registry, from an allow-list: an upload session's own parameters
 * (`_state`, `digest`), byte for byte, and nothing else: never a cross-repository mount (`mount`,
 * `from`), which would name a repository beyond the cache. Starting an upload (POST) and reads
 * take no parameter at all. A `;` (an old separator some servers still read) refuses the request.
 */
export function upstreamSearch(rest: string, search: string): string | undefined {
  if (!search || search === '?') return '';
  if (search.includes(';')) return undefined;
  if (!/^blobs\/uploads\/[^/]+$/.test(rest)) return '';
  const kept = search
    .slice(1)
    .split('&')
    .filter((pair) => pair.startsWith('_state=') || pair.startsWith('digest='));
  return kept.length > 0 ? `?${kept.join('&')}` : '';
}

/**
 * The Content-Type sent on: a manifest's own media type; for an upload, always raw bytes. A form
 * type would make the registry read the body as parameters (a POST's `mount` and `from` among them).
 */
export function upstreamContentType(rest: string, contentType: string | undefined): string | undefined {
  if (rest.startsWith('manifests/')) return contentType;
  return rest.startsWith('blobs/uploads/') ? 'application/octet-stream' : undefined;
}

/**
 * A Location the registry answered, as the build step must follow it: a path in the cache
 * repository becomes the endpoint's path for it (query kept); a blob read redirected to a blob
 * store on another origin is passed on absolute (`crossOriginAllowed`). Anything else is not the
 * cache's to follow: undefined.
 */
export function locationAtEndpoint(
  location: string,
  upstreamBase: URL,
  upstreamRepository: string,
  endpointRepository: string,
  crossOriginAllowed: boolean,
): string | undefined {
  const url = new URL(location, upstreamBase);
  if (url.hostname !== upstreamBase.hostname) return crossOriginAllowed && (url.protocol === 'https:' || url.protocol === 'http:') ? url.toString() : undefined;
  const prefix = `/v2/${upstreamRepository}/`;
  if (!url.pathname.startsWith(prefix)) return undefined;
  return `/v2/${endpointRepository}/${url.pathname.slice(prefix.length)}${url.search}`;
}

/** The error document registries answer with, so buildah shows the sentence. */
export function errorDocument(refusal: CacheRefusal): string {
  return `${JSON.stringify({ errors: [{ code: refusal.code, message: refusal.message }] })}\n`;
}
