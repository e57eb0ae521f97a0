// The build endpoint: a build Pod's first step fetches its build context here (GET, a tar the
// controller renders for the job), and its last step streams the OCI layout of the image it built
// (one tar per PUT), which the controller, alone holding the registry credential, pushes to the
// job's target.
//
// Every replica serves it, leader or not (it reads the API server, not the caches), and replicas
// on one node share the port (SO_REUSEPORT), so build Pods on the host network find one at a fixed
// address. The request is authorised from its headers alone (authorize.ts), before a byte of the
// image is read: push.sh sends `Expect: 100-continue` and a refusal is the final answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import type { Config } from '../../config/types.ts';
import { configuredCredentials, transportFor } from '../../registry/client.ts';
import { PushSecretError, tenantCredentials } from './push-secret.ts';
import { LayoutError, RegistryError } from '../../registry/errors.ts';
import { parseTargetImage, pushLayoutTar } from '../../registry/push-layout.ts';
import { imageSpecClient, imageSpecJobClient } from '../runtime/custom-objects.ts';
import { ignoreNotFound } from '../runtime/errors.ts';
import { describeError } from '../runtime/informer.ts';
import type { Clients } from '../runtime/kube.ts';
import { untypedJson } from '../runtime/untyped-json.ts';
import type { Logger } from '../runtime/logger.ts';
import { podName } from '../../api/names.ts';
import { controllingImageSpec } from '../imagespecjob/trust.ts';
import { renderBuildContext } from '../../render/context.ts';
import { SOURCE_DIR } from '../../render/paths.ts';
import { readSourceContext, type SourceContext } from './source-context.ts';
import { tarArchive } from '../../render/tar-archive.ts';
import type { Templates } from '../../render/templates.ts';
import { authorizeContext, authorizeUpload, type UploadDecision, type UploadObservation } from './authorize.ts';
import { parseJobPath, uploadBaseUrl, uploadUrl, type UploadRoute } from './route.ts';
import { reviewToken } from './token-review.ts';
import { createCacheProxy } from './cache-proxy.ts';
import { cacheRepositoryAtEndpoint, parseCacheRequest } from './cache-route.ts';

/** Uploads pushed at once per replica; more wait in push.sh's retries (503). */
const MAX_CONCURRENT_UPLOADS = 8;
/** Build contexts being checked and rendered at once per replica; more wait in the context step's retries (503). */
const MAX_CONCURRENT_CONTEXTS = 16;
/** Headers must arrive promptly; the body may take as long as the image needs. */
const HEADERS_TIMEOUT_MS = 60_000;
/**
 * How long an upload waits for the kubelet to report its push step running (its status sync lags
 * the container's start by a second or more on a busy node) before answering 503, which push.sh retries.
 */
const PUSH_START_WAIT_MS = 10_000;
const PUSH_START_POLL_MS = 500;
/** How long a failed upload's remaining body is read (and dropped) so its sender gets the answer. */
const DRAIN_TIMEOUT_MS = 120_000;

export interface UploadServerOptions {
  clients: Clients;
  config: Config;
  /** The templates the build context is rendered from. */
  templates: Templates;
  log: Logger;
}

export interface UploadServer {
  readonly port: number;
  /** The base URL build Pods are given: the configured one, else loopback and the bound port. */
  readonly baseUrl: string;
  close(): Promise<void>;
}

type Reply = { status: number; body: string | Buffer; contentType?: string };

/**
 * `closeConnection`: the connection ends with the answer, when a body is left unread (it is not
 * drained) and for the build context (a build Pod asks once; an idle kept-alive connection only
 * races the server's keep-alive timeout).
 */
function send(response: ServerResponse, reply: Reply, closeConnection: boolean): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(reply.status, {
    'Content-Type': reply.contentType ?? 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(reply.body),
    ...(closeConnection ? { Connection: 'close' } : {}),
    ...(reply.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="imagespec-upload"' } : {}),
  });
  response.end(reply.body);
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * The API server could not answer a check (throttled, restarting): worth another try, unlike a
 * refusal. The message goes to the build Pod; the cause, to the controller's log only.
 */
class CheckUnavailableError extends Error {
  constructor(cause: unknown) {
    super('Could not check the request with the API server; try again shortly', { cause });
  }
}

async function observe(options: UploadServerOptions, route: UploadRoute, token: string): Promise<UploadObservation> {
  try {
    return await observeOnce(options, route, token);
  } catch (error) {
    throw new CheckUnavailableError(error);
  }
}

async function observeOnce(options: UploadServerOptions, route: UploadRoute, token: string): Promise<UploadObservation> {
  const { clients, config } = options;
  const identity = await reviewToken(clients, token);
  const base = { route, identity, namespaces: config.namespaces, registry: config.registry, outputAllowed: config.outputAllowed, job: undefined, owner: undefined, pod: undefined };
  // Nothing is read for a caller who is not a Pod of the job's namespace.
  if (!identity.authenticated || !identity.username?.startsWith(`system:serviceaccount:${route.namespace}:`)) return base;
  const job = await imageSpecJobClient(clients.custom).get(route.namespace, route.name).catch(ignoreNotFound);
  if (!job) return base;
  const ref = controllingImageSpec(job);
  const [owner, pod] = await Promise.all([
    ref ? imageSpecClient(clients.custom).get(route.namespace, ref.name).catch(ignoreNotFound) : undefined,
    untypedJson<V1Pod>((options) => clients.core.readNamespacedPod({ namespace: route.namespace, name: podName(route.name) }, options)).catch(ignoreNotFound),
  ]);
  return { ...base, job, owner, pod };
}

/** The decision once the push step is reported running, or the last one when it never is or the caller left. */
async function authorizeWhenStarted(options: UploadServerOptions, route: UploadRoute, token: string, signal: AbortSignal): Promise<UploadDecision> {
  const deadline = Date.now() + PUSH_START_WAIT_MS;
  let decision = authorizeUpload(await observe(options, route, token));
  while (!decision.allowed && decision.pushStepStarting && Date.now() < deadline && !signal.aborted) {
    await delay(PUSH_START_POLL_MS);
    decision = authorizeUpload(await observe(options, route, token));
  }
  return decision;
}

/**
 * Reads and drops the rest of an upload whose push failed midway. Answering and closing while the
 * build Pod is still sending makes its curl fail with a broken pipe before it reads the answer, so
 * the build would report that instead of the registry's refusal. Bounded: a slow sender is cut off.
 */
async function drain(chunks: AsyncIterator<unknown>, timeoutMs: number): Promise<void> {
  const timeout = new AbortController();
  const rest = (async () => {
    while (!(await chunks.next()).done && !timeout.signal.aborted);
  })();
  await Promise.race([rest, delay(timeoutMs, undefined, { signal: timeout.signal })]).catch(() => undefined);
  timeout.abort();
}

function failureReply(error: unknown, target: string): Reply {
  if (error instanceof PushSecretError) return { status: 424, body: `${error.message}\n` };
  if (error instanceof LayoutError) return { status: 400, body: `The upload is not a valid OCI image layout: ${error.message}\n` };
  // The registry's own refusal (bad credentials, a repository it will not create) will not change
  // on retry; anything else (no answer, a 5xx, throttling) might, and push.sh tries again on 502.
  if (error instanceof RegistryError) {
    const refused = error.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
    return { status: refused ? 424 : 502, body: `${error.message}\n` };
  }
  return { status: 500, body: `Could not push ${target}: an internal error (see the controller's log)\n` };
}

export async function startUploadServer(options: UploadServerOptions): Promise<UploadServer> {
  const { config, log } = options;
  let running = 0;
  let servingContexts = 0;

  let baseUrl = '';
  // The layer cache's registry API, when the admin turned it on (cache-proxy.ts).
  const cache = createCacheProxy({ clients: options.clients, config, log });

  /**
   * The job's build context as a tar, rendered now from its spec and this configuration. The slot
   * is held until the archive is made: checking the token, reading a ConfigMap context (up to
   * 1 MiB) and rendering are the work the limit bounds.
   */
  async function serveContext(response: ServerResponse, route: UploadRoute, token: string): Promise<void> {
    if (servingContexts >= MAX_CONCURRENT_CONTEXTS) return send(response, { status: 503, body: 'Too many build contexts asked for at once; try again shortly\n' }, true);
    servingContexts += 1;
    let reply: Reply;
    try {
      reply = await contextReply(route, token);
    } finally {
      servingContexts -= 1;
    }
    send(response, reply, true);
  }

  async function contextReply(route: UploadRoute, token: string): Promise<Reply> {
    const fields = { namespace: route.namespace, imageSpecJob: route.name };
    let decision: ReturnType<typeof authorizeContext>;
    try {
      decision = authorizeContext(await observe(options, route, token));
    } catch (error) {
      if (!(error instanceof CheckUnavailableError)) throw error;
      log.warn('Could not check build context request', { ...fields, error: describeError(error.cause) });
      return { status: 503, body: `${error.message}\n` };
    }
    if (!decision.allowed) {
      log.warn('Refused build context', { ...fields, status: decision.status, reason: decision.message });
      return { status: decision.status, body: `${decision.message}\n` };
    }
    const job = decision.job;
    let source: SourceContext | undefined;
    try {
      source = job.spec.build ? await readSourceContext(options.clients, route.namespace, job.spec.build, config.build.contextSources) : undefined;
    } catch (error) {
      log.warn('Could not read build context source', { ...fields, error: describeError(error) });
      return { status: 503, body: `Could not read the build context source: ${describeError(error)}\n` };
    }
    if (source && 'status' in source) {
      log.info('Refused build context', { ...fields, status: source.status, reason: source.message });
      return { status: source.status, body: `${source.message}\n` };
    }
    let archive: Buffer;
    try {
      // The namespace's layer cache, at this endpoint, when the admin turned it on.
      const layerCache = cache ? `${new URL(baseUrl).host}/${cacheRepositoryAtEndpoint(route.namespace)}` : undefined;
      const files = renderBuildContext(options.templates, { ...job.spec, uploadUrl: uploadUrl(baseUrl, route), ...(layerCache ? { layerCache } : {}) }, config);
      archive = tarArchive(files, source ? { name: SOURCE_DIR, files: source.files } : undefined);
    } catch (error) {
      const message = `Could not render the build context of ImageSpecJob ${route.namespace}/${route.name}: ${describeError(error)}`;
      log.error('Could not render build context', { ...fields, error: describeError(error) });
      return { status: 422, body: `${message}\n` };
    }
    log.debug('Served build context', { ...fields, bytes: archive.length });
    return { status: 200, body: archive, contentType: 'application/x-tar' };
  }

  async function handle(request: IncomingMessage, response: ServerResponse, expectsContinue: boolean): Promise<void> {
    const pathname = new URL(request.url ?? '/', 'http://upload').pathname;
    const cacheRequest = parseCacheRequest(request.method ?? 'GET', pathname);
    if (cacheRequest) {
      if (!cache) return send(response, { status: 404, body: 'The layer cache is off in this cluster (IMAGESPEC_BUILD_REGISTRY_CACHE)\n' }, true);
      return cache(request, response, cacheRequest, expectsContinue);
    }
    const path = parseJobPath(pathname);
    if (!path) {
      return send(response, { status: 404, body: 'Not a build path: GET /v1/namespaces/<namespace>/imagespecjobs/<name>/context or PUT .../image\n' }, true);
    }
    const route: UploadRoute = { namespace: path.namespace, name: path.name };
    const method = path.resource === 'context' ? 'GET' : 'PUT';
    if (request.method !== method) return send(response, { status: 405, body: `Only ${method} ${path.resource === 'context' ? 'fetches the build context' : 'uploads an image'}\n` }, true);
    const token = bearerToken(request.headers.authorization);
    if (!token) return send(response, { status: 401, body: 'A build Pod\'s request needs its token as a Bearer Authorization header\n' }, true);
    if (path.resource === 'context') return serveContext(response, route, token);
    if (running >= MAX_CONCURRENT_UPLOADS) return send(response, { status: 503, body: 'Too many uploads at once; try again shortly\n' }, true);

    running += 1;
    const abort = new AbortController();
    response.on('close', () => abort.abort(new Error('the upload connection closed')));
    const fields = { namespace: route.namespace, imageSpecJob: route.name };
    try {
      let decision: UploadDecision;
      try {
        decision = await authorizeWhenStarted(options, route, token, abort.signal);
      } catch (error) {
        if (!(error instanceof CheckUnavailableError)) throw error;
        log.warn('Could not check image upload', { ...fields, error: describeError(error.cause) });
        return send(response, { status: 503, body: `${error.message}\n` }, true);
      }
      if (!decision.allowed) {
        log.warn('Refused image upload', { ...fields, status: decision.status, reason: decision.message });
        return send(response, { status: decision.status, body: `${decision.message}\n` }, true);
      }
      const target = decision.target.targetImage;
      if (expectsContinue) response.writeContinue();
      // One iterator over the body, so what the push left unread can be drained on a failure.
      const chunks = request[Symbol.asyncIterator]();
      const body: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => chunks };
      try {
        const destination = parseTargetImage(target);
        const credentials = decision.tenantOutput
          ? await tenantCredentials(options.clients, route.namespace, decision.tenantOutput.pushSecret, destination.registry)
          : configuredCredentials(config.registry!);
        const transport = transportFor(destination.registry, config.build, config.registryCa?.pem);
        const pushSecret = decision.tenantOutput?.pushSecret;
        const credentialSource = !decision.tenantOutput
          ? undefined
          : pushSecret
            ? `the username and password in Secret "${pushSecret}" (spec.output.pushSecret)`
            : 'spec.output.pushSecret names no Secret';
        const pushed = await pushLayoutTar(body, { ...destination, ...transport, ...(credentialSource ? { credentialSource } : {}), ...(credentials ? { credentials } : {}) }, { signal: abort.signal });
        log.info('Pushed image', { ...fields, image: target, digest: pushed.digest, bytes: pushed.bytes, blobsUploaded: pushed.blobsUploaded, blobsSkipped: pushed.blobsSkipped });
        send(response, { status: 200, body: `digest=${pushed.digest}\n` }, false);
      } catch (error) {
        const reply = failureReply(error, target);
        log.error('Could not push image', { ...fields, image: target, status: reply.status, error: describeError(error) });
        if (!request.readableEnded) await drain(chunks, DRAIN_TIMEOUT_MS);
        send(response, reply, !request.readableEnded);
      }
    } finally {
      running -= 1;
    }
  }

  const serve = (expectsContinue: boolean) => (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response, expectsContinue).catch((error: unknown) => {
      log.error(`Could not answer ${request.url?.endsWith('/context') ? 'build context request' : 'image upload'}`, { path: request.url, error: describeError(error) });
      send(response, { status: 500, body: 'internal error\n' }, true);
    });
  };
  const server: Server = createServer({ requestTimeout: 0, headersTimeout: HEADERS_TIMEOUT_MS });
  server.on('request', serve(false));
  server.on('checkContinue', serve(true));

  const host = loopbackOnly(config.upload.url) ? '127.0.0.1' : undefined;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: config.upload.port, host, reusePort: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log.error('Upload server failed', { error: String(error) }));
  const port = (server.address() as AddressInfo).port;
  baseUrl = uploadBaseUrl(config.upload.url, port);
  log.info('Serving image uploads', { port, baseUrl });
  return {
    port,
    baseUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Build Pods that reach the controller on loopback share its node's network: nothing else needs the port. */
function loopbackOnly(url: string | undefined): boolean {
  if (!url) return true;
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost';
}
