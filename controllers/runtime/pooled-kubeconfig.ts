// A KubeConfig whose requests share one connection pool (and, when asked, a client-side rate limit).
//
// client-node builds a new undici Agent for every request (and every watch), so each one opens a
// TCP connection, parses the CA and client certificate into a new TLS context and does a full
// handshake: profiling the controller under a burst showed more CPU in TLS set-up than in all of
// our own code. client-go keeps one transport per cluster and user; this does the same, keyed by
// the TLS material so a rotated certificate or CA still takes effect on the next request.
import type { AgentOptions, RequestOptions } from 'node:https';
import { createConfiguration, KubeConfig, type ApiConstructor, type ApiType, ServerConfiguration, setHeaderMiddleware, wrapHttpLibrary } from '@kubernetes/client-node';
import { Agent } from 'undici';
import { RequestLimiter, type RequestLimit } from './request-limiter.ts';
import { UndiciHttpLibrary } from './undici-http-library.ts';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];

/** The TLS settings of a request, as client-node derives them from the kubeconfig. */
export function tlsAgentOptions(options: RequestOptions): AgentOptions {
  const agentOptions: AgentOptions = {};
  for (const key of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const) {
    if (options[key] !== undefined) (agentOptions as Record<string, unknown>)[key] = options[key];
  }
  return agentOptions;
}

const TLS_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

function sameTlsValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((part, i) => sameTlsValue(part, b[i]));
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return false;
}

/**
 * Whether two requests' TLS settings are the same: equal settings share a pool, changed ones get a
 * new one. A byte comparison, not a digest: this runs on every request (client-node reads the
 * material anew each time) and hashing the CA, certificate and key was a visible cost under load.
 */
export function sameTlsMaterial(a: { server: string; options: AgentOptions }, b: { server: string; options: AgentOptions }): boolean {
  return a.server === b.server && TLS_KEYS.every((key) => sameTlsValue(a.options[key], b.options[key]));
}

/** Identifies the controller in the API server's audit log. */
export const USER_AGENT = 'imagespec-controller';

export class PooledKubeConfig extends KubeConfig {
  private pool: { server: string; options: AgentOptions; agent: Agent } | undefined;
  private limiter: RequestLimiter | undefined;

  /** Every request from now on waits for the client-side rate limit (request-limiter.ts). */
  limitRequests(limit: RequestLimit): RequestLimiter {
    this.limiter = new RequestLimiter(limit);
    return this.limiter;
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await this.limiter?.wait();
    const cluster = this.getCurrentCluster();
    if (!cluster || cluster.proxyUrl) {
      // Proxies keep client-node's own dispatcher.
      await super.applySecurityAuthentication(context);
      return;
    }
    const options: RequestOptions = {};
    await this.applyToHTTPSOptions(options);
    for (const [name, value] of Object.entries(options.headers ?? {})) context.setHeaderParam(name, String(value));
    if (options.auth) context.setHeaderParam('Authorization', `Basic ${Buffer.from(options.auth).toString('base64')}`);
    const agentOptions = tlsAgentOptions(options);
    const dispatcherOptions = this.createDispatcherOptions(cluster, agentOptions);
    if (dispatcherOptions.type !== 'agent') return;
    const material = { server: cluster.server, options: agentOptions };
    if (!this.pool || !sameTlsMaterial(this.pool, material)) {
      const previous = this.pool?.agent;
      this.pool = { ...material, agent: new Agent({ connect: dispatcherOptions.connect }) };
      // Requests in flight on the old pool finish; it closes once they have.
      void previous?.close().catch(() => undefined);
    }
    context.setDispatcher(this.pool.agent);
  }

  /** API clients whose calls go through undici's request() instead of fetch (undici-http-library.ts). */
  override makeApiClient<T extends ApiType>(apiClientType: ApiConstructor<T>): T {
    const cluster = this.getCurrentCluster();
    if (!cluster) throw new Error('No active cluster!');
    return new apiClientType(
      createConfiguration({
        baseServer: new ServerConfiguration(cluster.server, {}),
        authMethods: { default: this },
        httpApi: wrapHttpLibrary(new UndiciHttpLibrary()),
        middleware: [setHeaderMiddleware('User-Agent', USER_AGENT)],
      }),
    );
  }

  /** Closes the shared connections (open watches end). */
  async close(): Promise<void> {
    const agent = this.pool?.agent;
    this.pool = undefined;
    await agent?.close();
  }
}
