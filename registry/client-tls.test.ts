// The registry client against real registries on loopback: one over HTTPS with a certificate from a
// CA made for this run, one over plain HTTP. Each TLS setting must reach the HTTPS one, and only
// the insecure one may fall back to plain HTTP.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RegistryClient, type RegistryTransport } from './client.ts';
import { startTestRegistry, type TestRegistry } from './testdata/registry-process.ts';
import { makeTestCertificates, type TestCertificates } from './testdata/test-ca.ts';

let work: string;
let certificates: TestCertificates;
let https: TestRegistry;
let plain: TestRegistry;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'imagespec-client-tls-'));
  certificates = makeTestCertificates(work);
  [https, plain] = await Promise.all([startTestRegistry(undefined, certificates), startTestRegistry(undefined)]);
});
after(async () => {
  await Promise.all([https?.stop(), plain?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

/** A lookup of a tag nobody pushed: undefined when the registry answered, the error otherwise. */
async function lookUp(registry: TestRegistry, transport: RegistryTransport): Promise<unknown> {
  const client = new RegistryClient({ registry: registry.address, ...transport, timeoutMs: 5_000 });
  try {
    return await client.manifestDigest('team-a/web', 'missing');
  } catch (error) {
    return error;
  } finally {
    client.close();
  }
}

test('verified HTTPS refuses a certificate from an unknown CA, naming the cause', async () => {
  const answer = await lookUp(https, { insecure: false });
  assert.ok(answer instanceof Error, 'refused');
  assert.match(answer.message, /certificate|self.signed|unable to verify/i);
});

test('the admin CA bundle alone makes the certificate verify', async () => {
  assert.equal(await lookUp(https, { insecure: false, extraCa: certificates.caPem }), undefined);
});

test('the skip-verify list and the insecure list each reach the HTTPS registry', async () => {
  assert.equal(await lookUp(https, { insecure: false, skipTlsVerify: true }), undefined);
  assert.equal(await lookUp(https, { insecure: true }), undefined);
});

test('only the insecure list falls back to plain HTTP', async () => {
  assert.equal(await lookUp(plain, { insecure: true }), undefined);
  const skipped = await lookUp(plain, { insecure: false, skipTlsVerify: true });
  assert.ok(skipped instanceof Error, 'skip-verify keeps to HTTPS');
  const verified = await lookUp(plain, { insecure: false, extraCa: certificates.caPem });
  assert.ok(verified instanceof Error, 'a CA bundle does not allow plain HTTP either');
});
