import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { certArgs, controlPlaneCerts, ensurePki, firstServiceIp, kubeletClientCert, subject } from './pki.ts';

test('subjects put groups (O) before the user name (CN)', () => {
  assert.equal(subject({ commonName: 'admin', organizations: ['system:masters'] }), '/O=system:masters/CN=admin');
  assert.equal(subject({ commonName: 'system:node:n1', organizations: ['system:nodes'] }), '/O=system:nodes/CN=system:node:n1');
  assert.throws(() => subject({ commonName: 'a/b' }), /may not contain/);
});

test('the first service IP is the network address plus one', () => {
  assert.equal(firstServiceIp('10.96.0.0/24'), '10.96.0.1');
  assert.equal(firstServiceIp('10.96.0.77/24'), '10.96.0.1');
  assert.equal(firstServiceIp('172.16.4.0/22'), '172.16.4.1');
  assert.throws(() => firstServiceIp('fd00::/108'), /IPv4/);
});

test('serving certificates carry their addresses; client certificates carry none', () => {
  const [apiserver] = controlPlaneCerts('10.96.0.0/24');
  assert.ok(apiserver);
  const args = certArgs(apiserver, '/pki');
  assert.ok(args.includes('extendedKeyUsage=serverAuth'));
  const san = args.find((a) => a.startsWith('subjectAltName='));
  assert.ok(san?.includes('IP:127.0.0.1') && san.includes('IP:10.96.0.1') && san.includes('DNS:localhost'));
  const client = certArgs(kubeletClientCert('n1'), '/pki');
  assert.ok(client.includes('extendedKeyUsage=clientAuth'));
  assert.ok(!client.some((a) => a.startsWith('subjectAltName=')));
  assert.equal(client[client.indexOf('-CA') + 1], '/pki/ca.crt');
});

test('ensurePki makes a CA-signed set with openssl and keeps it on a second call', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pki-test-'));
  try {
    const pki = join(dir, 'pki');
    ensurePki(pki, '10.96.0.0/24');
    const verify = (name: string, issuer = 'ca') =>
      execFileSync('openssl', ['verify', '-CAfile', join(pki, `${issuer}.crt`), join(pki, `${name}.crt`)], { encoding: 'utf8' });
    for (const spec of controlPlaneCerts('10.96.0.0/24')) assert.match(verify(spec.name, spec.issuer), /OK/);
    // The front-proxy client must not pass as a cluster-CA client identity.
    assert.throws(() => verify('front-proxy-client'), /verification failed|error/);
    const admin = execFileSync('openssl', ['x509', '-noout', '-subject', '-in', join(pki, 'admin.crt')], { encoding: 'utf8' });
    assert.match(admin, /O\s*=\s*system:masters, CN\s*=\s*admin/);
    const before = statSync(join(pki, 'kube-apiserver.crt')).mtimeMs;
    ensurePki(pki, '10.96.0.0/24');
    assert.equal(statSync(join(pki, 'kube-apiserver.crt')).mtimeMs, before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
