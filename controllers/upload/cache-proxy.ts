// I/O: the build endpoint's layer cache (IMAGESPEC_BUILD_REGISTRY_CACHE). buildah's build step
// talks to it as to a registry (cache-route.ts); each request is checked (cache-authorize.ts) and
// streamed to the namespace's cache repository with the controller's own credential, and the
// answer streamed back. The build step never holds a registry credential, and its token opens only
// its own namespace's cache.
import { createHash } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import { rootCertificates } from 'node:tls';
import type { V1Pod } from '@kubernetes/client-node';
import type { Config } from '../../config/types.ts';
import { configuredCredentials, RegistryClient, transportFor } from '../../registry/client.ts';
import { ignoreNotFound } from '../runtime/errors.ts';
import { describeError } from '../runtime/informer.ts';
import type { Clients } from '../runtime/kube.ts';
import type { Logger } from '../runtime/logger.ts';
import { untypedJson } from '../runtime/untyped-json.ts';
import { serviceAccountNamespace } from './authorize.ts';
import { authorizeCacheCaller, authorizeCacheRepository, type CacheDecision } from './cache-authorize.ts';
import {
  CACHE_TOKEN_AUDIENCE,
  cacheRepositoryAtEndpoint,
  errorDocument,
  locationAtEndpoint,
  upstreamCacheRepository,
  upstreamContentType,
  upstreamSearch,
  type CacheRefusal,
  type CacheRequest,
} from './cache-route.ts';
import { reviewToken } from './token-review.ts';

/** A verdict on a token is kept this long: buildah sends dozens of requests per build. */
const ALLOWED_FOR_MS = 30_000;
const REFUSED_FOR_MS = 5_000;
const MAX_VERDICTS = 1024;
/** The registry may keep a request waiting this long between bytes (a large blob's PUT is checked at its end). */
const UPSTREAM_IDLE_MS = 600_000;
/** Requests forwarded at once per replica; buildah sends a few at a time per build. */
const MAX_CONCURRENT_FORWARDS = 64;

const FORWARDED_REQUEST_HEADERS = ['accept', 'content-type', 'content-length', 'content-range', 'range', 'if-none-match'];
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'content-length', 'content-range', 'range', 'docker-content-digest', 'docker-upload-uuid', 'etag', 'docker-distribution-api-version'];

export interface CacheProxyOptions {
  clients: Clients;
  config: Config;
  log: Logger;
}

export type CacheHandler = (request: IncomingMessage, response: ServerResponse, parsed: CacheRequest, expectsContinue: boolean) => Promise<void>;

function sendRefusal(response: ServerResponse, refusal: CacheRefusal): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = errorDocument(refusal);
  response.writeHead(refusal.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Docker-Distribution-API-Version': 'registry/2.0',
    ...(refusal.status === 401 ? { 'WWW-Authenticate': 'Basic realm="imagespec-cache"' } : {}),
  });
  response.end(body);
}

/** The token of a request: the password of Basic credentials (how buildah sends them), or a Bearer token. */
export function cacheToken(header: string | undefined): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)\s*$/i.exec(header ?? '');
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
}

/** The layer cache's request handler, or undefined when the admin has not turned the cache on. */
export function createCacheProxy(options: CacheProxyOptions): CacheHandler | undefined {
  const { clients, config, log } = options;
  const registry = config.registry;
  if (!config.build.registryCache || !registry?.repoPrefix) return undefined;
  const repoPrefix = registry.repoPrefix;
  const upstreamHost = upstreamCacheRepository(repoPrefix, 'x').registry;
  const transport = transportFor(upstreamHost, config.build, config.registryCa?.pem);
  const credentials = configuredCredentials(registry);
  const client = new RegistryClient({ registry: upstreamHost, ...transport, ...(credentials ? { credentials } : {}) });
  const insecureTls = transport.insecure || transport.skipTlsVerify === true;
  const agents = {
    http: new HttpAgent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true, rejectUnauthorized: !insecureTls, ...(transport.extraCa ? { ca: [...rootCertificates, transport.extraCa] } : {}) }),
  };
  const verdicts = new Map<string, { decision: CacheDecision; until: number }>();

  async function callerOf(token: string): Promise<CacheDecision> {
    const key = createHash('sha256').update(token).digest('hex');
    const now = Date.now();
    const known = verdicts.get(key);
    if (known && known.until > now) return known.decision;
    const identity = await reviewToken(clients, token, CACHE_TOKEN_AUDIENCE);
    const namespace = serviceAccountNamespace(identity.username);
    const pod =
      identity.authenticated && namespace && identity.podName
        ? await untypedJson<V1Pod>((request) => clients.core.readNamespacedPod({ namespace, name: identity.podName! }, request)).catch(ignoreNotFound)
        : undefined;
    const decision = authorizeCacheCaller(identity, pod, config.namespaces);
    if (verdicts.size >= MAX_VERDICTS) verdicts.delete(verdicts.keys().next().value!);
    verdicts.set(key, { decision, until: now + (decision.allowed ? ALLOWED_FOR_MS : REFUSED_FOR_MS) });
    return decision;
  }

  let forwarding = 0;

  return async (request, response, parsed, expectsContinue) => {
    // Listened for before any wait: a caller that goes away ends whatever its request started.
    const gone = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) gone.abort();
    });
    if (parsed.kind === 'refused') return sendRefusal(response, parsed.refusal);
    const token = cacheToken(request.headers.authorization);
    if (!token) return sendRefusal(response, { status: 401, code: 'UNAUTHORIZED', message: 'The layer cache needs a build Pod\'s token' });
    let decision: CacheDecision;
    try {
      decision = await callerOf(token);
    } catch (error) {
      log.warn('Could not check layer cache request', { error: describeError(error) });
      return sendRefusal(response, { status: 503, code: 'UNAVAILABLE', message: 'Could not check the request with the API server; try again shortly' });
    }
    if (parsed.kind === 'repository') decision = authorizeCacheRepository(decision, parsed.namespace);
    if (!decision.allowed) {
      log.warn('Refused layer cache request', { method: request.method, path: request.url, status: decision.refusal.status, reason: decision.refusal.message });
      return sendRefusal(response, decision.refusal);
    }
    if (parsed.kind === 'ping') {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 3, 'Docker-Distribution-API-Version': 'registry/2.0' });
      return void response.end('{}\n');
    }
    if (gone.signal.aborted) return;
    if (forwarding >= MAX_CONCURRENT_FORWARDS) {
      return sendRefusal(response, { status: 429, code: 'TOOMANYREQUESTS', message: 'Too many layer cache requests at once; try again shortly' });
    }
    forwarding += 1;
    try {
      await forward(request, response, parsed.namespace, parsed.rest, expectsContinue, gone.signal);
    } finally {
      forwarding -= 1;
    }
  };

  async function forward(request: IncomingMessage, response: ServerResponse, namespace: string, rest: string, expectsContinue: boolean, gone: AbortSignal): Promise<void> {
    const upstream = upstreamCacheRepository(repoPrefix, namespace);
    const endpointRepository = cacheRepositoryAtEndpoint(namespace);
    const method = request.method ?? 'GET';
    const fields = { namespace, method, path: rest };
    const search = upstreamSearch(rest, new URL(request.url ?? '/', 'http://cache').search);
    if (search === undefined) return sendRefusal(response, { status: 400, code: 'UNSUPPORTED', message: 'A ";" in the query is not accepted' });
    // Starting an upload takes no body: a monolithic or mounting POST is not the cache's.
    const bodyless = method === 'GET' || method === 'HEAD' || method === 'POST';
    if (method === 'POST') request.resume();

    for (let attempt = 1; ; attempt++) {
      let access: Awaited<ReturnType<RegistryClient['access']>>;
      try {
        access = await client.access(upstream.repository, { signal: gone });
      } catch (error) {
        if (gone.aborted) return;
        log.warn('Could not reach the registry for the layer cache', { ...fields, error: describeError(error) });
        return sendRefusal(response, { status: 502, code: 'UNAVAILABLE', message: `Could not reach the registry for the layer cache: ${describeError(error)}` });
      }
      if (gone.aborted) return;
      const url = new URL(`/v2/${upstream.repository}/${rest}${search}`, access.base);
      const headers: OutgoingHttpHeaders = {};
      for (const name of FORWARDED_REQUEST_HEADERS) if (request.headers[name] !== undefined) headers[name] = request.headers[name];
      const contentType = upstreamContentType(rest, request.headers['content-type']);
      if (contentType) headers['content-type'] = contentType;
      else delete headers['content-type'];
      if (method === 'POST') {
        headers['content-length'] = '0';
        delete headers['content-range'];
      }
      if (access.authorization) headers.authorization = access.authorization;
      if (expectsContinue && attempt === 1 && !bodyless) response.writeContinue();

      const again = await exchange(url, method, headers, bodyless ? undefined : request, response, gone, (answer) => {
        if (answer.statusCode === 401 && bodyless && attempt === 1 && client.challenged(upstream.repository, header(answer.headers['www-authenticate']))) return 'again';
        return 'answer';
      }, (answer) => relay(answer, response, access.base, upstream.repository, endpointRepository, method, rest, fields));
      if (again !== 'again') return;
    }
  }

  /**
   * One request to the registry, the caller's body (if any) streamed to it; `decide` says whether
   * its answer is relayed or the request is to be sent again (nothing relayed then).
   */
  function exchange(
    url: URL,
    method: string,
    headers: OutgoingHttpHeaders,
    body: IncomingMessage | undefined,
    response: ServerResponse,
    gone: AbortSignal,
    decide: (answer: IncomingMessage) => 'again' | 'answer',
    relayAnswer: (answer: IncomingMessage) => Promise<void>,
  ): Promise<'again' | 'done'> {
    return new Promise((resolve) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const outgoing = send(url, { method, headers, agent: url.protocol === 'https:' ? agents.https : agents.http, signal: gone }, (answer) => {
        if (decide(answer) === 'again') {
          answer.resume();
          return resolve('again');
        }
        void relayAnswer(answer).then(() => resolve('done'));
      });
      outgoing.setTimeout(UPSTREAM_IDLE_MS, () => outgoing.destroy(new Error(`no answer from the registry within ${UPSTREAM_IDLE_MS / 1000} s`)));
      outgoing.on('error', (error) => {
        if (!gone.aborted) {
          log.warn('Could not forward layer cache request', { method, path: url.pathname, error: describeError(error) });
          if (response.headersSent) response.destroy();
          else sendRefusal(response, { status: 502, code: 'UNAVAILABLE', message: `Could not forward the request to the registry: ${describeError(error)}` });
        }
        resolve('done');
      });
      if (body) {
        pipeline(body, outgoing).catch(() => outgoing.destroy());
      } else {
        outgoing.end();
      }
    });
  }

  /** The registry's answer, streamed back with its Location turned into the endpoint's path. */
  async function relay(answer: IncomingMessage, response: ServerResponse, base: URL, upstreamRepository: string, endpointRepository: string, method: string, rest: string, fields: Record<string, unknown>): Promise<void> {
    const status = answer.statusCode ?? 502;
    if (status === 401 || status === 403) {
      // The controller's own credential was refused: the build step must not see the registry's challenge.
      answer.resume();
      log.warn('Registry refused layer cache request', { ...fields, status });
      return sendRefusal(response, { status: 502, code: 'UNAVAILABLE', message: `The registry refused the controller's credential for the layer cache (HTTP ${status})` });
    }
    const forwarded: OutgoingHttpHeaders = {};
    for (const name of FORWARDED_RESPONSE_HEADERS) if (answer.headers[name] !== undefined) forwarded[name] = answer.headers[name];
    const location = header(answer.headers.location);
    if (location) {
      // Only a blob read may go to a blob store elsewhere; an upload must stay with the registry.
      const blobRead = (method === 'GET' || method === 'HEAD') && rest.startsWith('blobs/sha256:');
      const mapped = locationAtEndpoint(location, base, upstreamRepository, endpointRepository, blobRead);
      if (mapped === undefined) {
        answer.resume();
        log.warn('Registry pointed outside the layer cache', { ...fields, status });
        return sendRefusal(response, { status: 502, code: 'UNAVAILABLE', message: 'The registry pointed outside the layer cache' });
      }
      forwarded.location = mapped;
    }
    response.writeHead(status, forwarded);
    await pipeline(answer, response).catch(() => response.destroy());
    log.debug('Forwarded layer cache request', { ...fields, status });
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
