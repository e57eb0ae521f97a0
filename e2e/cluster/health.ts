// Minimal HTTPS client for readiness checks, authenticating with a client certificate.
import { request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

export interface TlsIdentity {
  ca: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Skip verification: only for loopback components with self-signed serving certificates. */
  insecure?: boolean;
}

export interface HttpResult {
  status: number;
  body: string;
}

export function httpsGet(url: string, tls: TlsIdentity, timeoutMs = 2000): Promise<HttpResult> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { method: 'GET', agent: false, ca: tls.ca || undefined, cert: tls.cert, key: tls.key, rejectUnauthorized: !tls.insecure, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Polls `check` until it returns true. Between attempts `stillAlive` may throw to stop early
 * (a daemon died), so a broken start fails at once instead of at the deadline.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; stillAlive?: () => void; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError = '';
  for (;;) {
    opts.stillAlive?.();
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`);
    }
    await sleep(opts.intervalMs ?? 200);
  }
}
