// A KubeConfig whose requests share one connection pool (and, when asked, a client-side rate limit).
//
// client-node builds a new undici Agent for every request (and every watch), so each one opens a
// TCP connection, parses the CA and client certificate into a new TLS context and does a full
// handshake: profiling the controller under a burst showed more CPU in TLS set-up than in all of
// our own code. client-go keeps one transport per cluster and user; this does the same, keyed by
// the TLS material so a rotated certificate or CA still takes effect on the next request.
import { createHash } from 'node:crypto';
import type { AgentOptions, RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { Agent } from 'undici';
import { RequestLimiter, type RequestLimit } from './request-limiter.ts';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];

/** The TLS settings of a request, as client-node derives them from the kubeconfig. */
export function tlsAgentOptions(options: RequestOptions): AgentOptions {
  const agentOptions: AgentOptions = {};
  for (const key of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const) {
    if (options[key] !== undefined) (agentOptions as Record<string, unknown>)[key] = options[key];
  }
  return agentOptions;
}

/** A digest of the TLS material: equal settings share a pool, changed ones get a new one. */
export function tlsFingerprint(server: string, options: AgentOptions): string {
  const hash = createHash('sha256').update(server);
  for (const key of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const) {
    const value = options[key];
    hash.update(`\0${key}=`);
    if (value === undefined) continue;
    for (const part of Array.isArray(value) ? value : [value]) {
      if (Buffer.isBuffer(part) || typeof part === 'string') hash.update(part);
      else hash.update(JSON.stringify(part));
      hash.update('\0');
    }
  }
  return hash.digest('hex');
}

export class PooledKubeConfig extends KubeConfig {
  private pool: { fingerprint: string; agent: Agent } | undefined;
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
    const fingerprint = tlsFingerprint(cluster.server, agentOptions);
    if (this.pool?.fingerprint !== fingerprint) {
      const previous = this.pool?.agent;
      this.pool = { fingerprint, agent: new Agent({ connect: dispatcherOptions.connect }) };
      // Requests in flight on the old pool finish; it closes once they have.
      void previous?.close().catch(() => undefined);
    }
    context.setDispatcher(this.pool.agent);
  }

  /** Closes the shared connections (open watches end). */
  async close(): Promise<void> {
    const agent = this.pool?.agent;
    this.pool = undefined;
    await agent?.close();
  }
}
