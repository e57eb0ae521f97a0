import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { startLoopbackProxy, type LoopbackProxy } from './loopback-proxy.ts';

let proxy: LoopbackProxy;
let origin: ReturnType<typeof createServer>;
let port: number;
const proxyPort = () => Number(new URL(proxy.url).port);

before(async () => {
  origin = createServer((req, res) => res.end(`origin saw ${req.method} ${req.url} host=${req.headers.host}`));
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  port = (origin.address() as AddressInfo).port;
  proxy = await startLoopbackProxy(['registry.imagespec.test']);
});
after(async () => {
  await proxy.close();
  await new Promise((resolve) => origin.close(resolve));
});

function viaProxy(absoluteUrl: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxyPort(), path: absoluteUrl, headers: { host: new URL(absoluteUrl).host } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

function tunnel(authority: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxyPort(), method: 'CONNECT', path: authority });
    req.on('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        resolve({ status: res.statusCode ?? 0, body: '' });
        return;
      }
      let body = '';
      socket.on('data', (chunk) => (body += chunk));
      socket.on('end', () => resolve({ status: 200, body }));
      socket.write(`GET /through-tunnel HTTP/1.1\r\nHost: ${authority}\r\nConnection: close\r\n\r\n`);
    });
    req.on('error', reject).end();
  });
}

test('forwards plain HTTP to an alias of loopback and records it', async () => {
  const answer = await viaProxy(`http://registry.imagespec.test:${port}/v2/?x=1`);
  assert.equal(answer.status, 200);
  assert.equal(answer.body, `origin saw GET /v2/?x=1 host=registry.imagespec.test:${port}`);
  assert.ok(proxy.requests().some((r) => r.method === 'GET' && r.authority === `registry.imagespec.test:${port}` && r.path === '/v2/?x=1' && !r.refused));
});

test('tunnels CONNECT to a loopback address', async () => {
  const answer = await tunnel(`127.0.0.1:${port}`);
  assert.equal(answer.status, 200);
  assert.match(answer.body, /origin saw GET \/through-tunnel/);
  assert.ok(proxy.requests().some((r) => r.method === 'CONNECT' && r.authority === `127.0.0.1:${port}` && !r.refused));
});

test('refuses and records every other destination, without reaching it', async () => {
  assert.equal((await viaProxy('http://pypi.org/simple/')).status, 403);
  assert.equal((await tunnel('deb.debian.org:443')).status, 403);
  assert.equal((await tunnel('10.0.0.1:443')).status, 403);
  const refused = proxy.requests().filter((r) => r.refused).map((r) => r.authority);
  assert.deepEqual(refused, ['pypi.org:80', 'deb.debian.org:443', '10.0.0.1:443']);
});
