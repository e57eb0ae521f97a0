// A forward proxy on loopback for the proxy tests: it tunnels CONNECT and forwards absolute-URI
// requests (plain HTTP through a proxy), and records every one. It reaches only loopback: a
// loopback address, or a name the test declares as an alias of 127.0.0.1 (a `.test` name that
// resolves nowhere else, so a build that reaches it can only have gone through this proxy).
// Every other destination is refused with 403 and recorded as refused.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, isIP, type AddressInfo, type Socket } from 'node:net';

export interface ProxiedRequest {
  /** CONNECT, or the forwarded request's method. */
  method: string;
  /** host:port asked for. */
  authority: string;
  /** The path of a forwarded request; empty for CONNECT. */
  path: string;
  refused: boolean;
}

export interface LoopbackProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  requests(): ProxiedRequest[];
  close(): Promise<void>;
}

function isLoopbackAddress(host: string): boolean {
  return (isIP(host) === 4 && host.startsWith('127.')) || host === '::1' || host === '[::1]';
}

function splitAuthority(authority: string): { host: string; port: number } | undefined {
  const match = /^(\[[^\]]+\]|[^:]+):([0-9]{1,5})$/.exec(authority);
  return match ? { host: match[1]!.toLowerCase(), port: Number(match[2]) } : undefined;
}

export async function startLoopbackProxy(aliases: readonly string[] = []): Promise<LoopbackProxy> {
  const names = new Set(aliases.map((alias) => alias.toLowerCase()));
  const seen: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  /** The loopback address to reach for `authority`, or undefined when it is not allowed. */
  const destination = (authority: string) => {
    const split = splitAuthority(authority);
    if (!split || !(isLoopbackAddress(split.host) || names.has(split.host))) return undefined;
    return { host: names.has(split.host) ? '127.0.0.1' : split.host.replace(/^\[|\]$/g, ''), port: split.port };
  };

  const server: Server = createServer((incoming: IncomingMessage, response) => {
    let url: URL | undefined;
    try {
      url = new URL(incoming.url ?? '');
    } catch {
      url = undefined;
    }
    const authority = url ? `${url.hostname}:${url.port || '80'}` : '';
    const target = url?.protocol === 'http:' ? destination(authority) : undefined;
    seen.push({ method: incoming.method ?? '', authority, path: url ? `${url.pathname}${url.search}` : incoming.url ?? '', refused: !target });
    if (!target || !url) {
      response.writeHead(403).end('this proxy reaches loopback only\n');
      return;
    }
    const headers = Object.fromEntries(Object.entries(incoming.headers).filter(([name]) => !name.startsWith('proxy-')));
    const upstream = httpRequest({ host: target.host, port: target.port, method: incoming.method, path: `${url.pathname}${url.search}`, headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.headersSent ? response.destroy() : response.writeHead(502).end());
    incoming.pipe(upstream);
  });

  server.on('connect', (incoming: IncomingMessage, client: Socket, head: Buffer) => {
    const authority = incoming.url ?? '';
    const target = destination(authority);
    seen.push({ method: 'CONNECT', authority, path: '', refused: !target });
    if (!target) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(target.port, target.host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => [...seen],
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
