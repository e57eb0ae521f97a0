// The controller's one HTTP port: /healthz (liveness), /readyz (readiness) and /metrics
// (Prometheus text). It takes plain functions rather than the manager, so it runs and is tested
// on its own.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { rename, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Liveness } from './health.ts';
import type { Logger } from './logger.ts';

export interface HttpServerOptions {
  /** 0 binds any free port. */
  port: number;
  /** Interface to listen on; every interface by default (Prometheus scrapes the Pod's address). */
  host?: string;
  /** When set, the bound port is written here once listening (for exec probes with port 0). */
  portFile?: string;
  /** True once the caches have synced. */
  ready(): boolean;
  live(): Liveness;
  registry: Registry;
  log: Logger;
}

export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

type Reply = { status: number; body: string; contentType?: string };

async function route(options: HttpServerOptions, request: IncomingMessage): Promise<Reply> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return { status: 405, body: 'method not allowed\n' };
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  switch (path) {
    case '/healthz': {
      const live = options.live();
      return live.ok ? { status: 200, body: 'ok\n' } : { status: 500, body: `${live.detail ?? 'not live'}\n` };
    }
    case '/readyz':
      return options.ready() ? { status: 200, body: 'ok\n' } : { status: 503, body: 'caches not synced yet\n' };
    case '/metrics':
      return { status: 200, body: await options.registry.metrics(), contentType: options.registry.contentType };
    default:
      return { status: 404, body: 'not found\n' };
  }
}

function send(request: IncomingMessage, response: ServerResponse, reply: Reply): void {
  response.writeHead(reply.status, {
    'Content-Type': reply.contentType ?? 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(reply.body),
  });
  response.end(request.method === 'HEAD' ? undefined : reply.body);
}

/** Written whole then renamed, so a probe never reads a half-written port. */
async function writePortFile(path: string, port: number): Promise<void> {
  const partial = `${path}.${process.pid}.tmp`;
  await writeFile(partial, `${port}\n`);
  await rename(partial, path);
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { log } = options;
  const server: Server = createServer((request, response) => {
    route(options, request).then(
      (reply) => send(request, response, reply),
      (error: unknown) => {
        log.error('Could not answer HTTP request', { path: request.url, error: String(error) });
        send(request, response, { status: 500, body: 'internal error\n' });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log.error('HTTP server failed', { error: String(error) }));
  const port = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  if (options.portFile) {
    try {
      await writePortFile(options.portFile, port);
    } catch (error) {
      await close();
      throw error;
    }
  }
  log.info('Serving health and metrics', { port, paths: ['/healthz', '/readyz', '/metrics'] });
  return { port, close };
}
