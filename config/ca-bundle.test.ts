import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTestCertificates, type TestCertificates } from '../registry/testdata/test-ca.ts';
import { MAX_CA_BUNDLE_BYTES, parseCaBundle } from './ca-bundle.ts';
import { loadConfig } from './load.ts';

let work: string;
let certificates: TestCertificates;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'imagespec-ca-bundle-'));
  certificates = makeTestCertificates(work);
});
after(() => rmSync(work, { recursive: true, force: true }));

test('a bundle keeps its certificates, without the text around them', () => {
  const bundle = parseCaBundle(`# our registries\n${certificates.caPem}\nsome comment\n${certificates.caPem.replaceAll('\n', '\r\n')}`);
  assert.ok(bundle.ok, JSON.stringify(bundle));
  assert.deepEqual(bundle.subjects, ['CN=imagespec test CA', 'CN=imagespec test CA']);
  assert.equal(bundle.pem, `${certificates.caPem.trim()}\n${certificates.caPem.trim()}\n`);
});

test('a file without a certificate, with a broken one, or too large is refused with the reason', () => {
  assert.deepEqual(parseCaBundle('hello'), { ok: false, error: 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)' });
  const broken = parseCaBundle('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  assert.ok(!broken.ok);
  assert.match(broken.error, /^certificate 1 cannot be read/);
  const large = parseCaBundle(certificates.caPem.repeat(Math.ceil(MAX_CA_BUNDLE_BYTES / certificates.caPem.length) + 1));
  assert.ok(!large.ok);
  assert.match(large.error, /larger than 32 KiB/);
});

test('the configuration reads the file IMAGESPEC_REGISTRY_CA_FILE names, or says why it cannot', () => {
  const loaded = loadConfig({ IMAGESPEC_REGISTRY_CA_FILE: certificates.caFile }, work);
  assert.ok(loaded.ok, JSON.stringify(loaded));
  assert.equal(loaded.config.registryCa?.pem, `${certificates.caPem.trim()}\n`);
  const missing = loadConfig({ IMAGESPEC_REGISTRY_CA_FILE: join(work, 'nope.pem') }, work);
  assert.ok(!missing.ok);
  assert.match(missing.errors[0]!, /^IMAGESPEC_REGISTRY_CA_FILE: cannot read .*nope\.pem: ENOENT/);
  writeFileSync(join(work, 'key.pem'), 'not a certificate');
  const notPem = loadConfig({ IMAGESPEC_REGISTRY_CA_FILE: join(work, 'key.pem') }, work);
  assert.ok(!notPem.ok);
  assert.match(notPem.errors[0]!, /key\.pem holds no PEM certificate/);
});
