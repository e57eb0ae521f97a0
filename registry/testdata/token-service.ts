// A token service for tests, as distribution's token auth expects one: GET /token with Basic
// credentials, service and scope; it answers an ES256 JWT whose x5c header carries a
// self-signed certificate, the same certificate the registry is given as its root bundle.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface TokenRequest {
  service: string | null;
  scope: string | null;
  username: string | undefined;
}

export interface TestTokenService {
  realm: string;
  service: string;
  issuer: string;
  rootCertBundle: string;
  /** Every request received, in order. */
  requests: TokenRequest[];
  stop(): Promise<void>;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** A P-256 key and a self-signed certificate for it, made by openssl in `dir`. */
function signingIdentity(dir: string): { keyPem: string; certPath: string } {
  const keyPath = join(dir, 'token-key.pem');
  const certPath = join(dir, 'token-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=imagespec-test-token-issuer'], { stdio: 'ignore' });
  return { keyPem: readFileSync(keyPath, 'utf8'), certPath };
}

/** The repository access a scope such as "repository:team-a/web:pull,push" asks for. */
function access(scope: string | null): object[] {
  if (!scope) return [];
  return scope.split(' ').map((one) => {
    const [type, ...rest] = one.split(':');
    const actions = rest.pop() ?? '';
    return { type, name: rest.join(':'), actions: actions.split(',').filter(Boolean) };
  });
}

/** Starts the service on a free loopback port; `dir` receives its key and certificate. */
export async function startTokenService(dir: string, accounts: { username: string; password: string }): Promise<TestTokenService> {
  const { keyPem, certPath } = signingIdentity(dir);
  const key = createPrivateKey(keyPem);
  const certificate = new X509Certificate(readFileSync(certPath));
  const service = 'imagespec-test-registry';
  const issuer = 'imagespec-test-issuer';
  const requests: TokenRequest[] = [];

  const answer = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://token');
    const [scheme, encoded] = (request.headers.authorization ?? '').split(' ');
    const [username, ...password] = scheme === 'Basic' && encoded ? Buffer.from(encoded, 'base64').toString('utf8').split(':') : [];
    requests.push({ service: url.searchParams.get('service'), scope: url.searchParams.get('scope'), username });
    if (username !== accounts.username || password.join(':') !== accounts.password) {
      response.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'wrong username or password' }] }));
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'ES256', x5c: [certificate.raw.toString('base64')] };
    const claims = { iss: issuer, sub: username, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access: access(url.searchParams.get('scope')) };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: `${signingInput}.${base64url(signature)}`, expires_in: 300 }));
  };

  const server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertBundle: certPath,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
