// End-to-end: a registry over HTTPS with a certificate from a private CA (made for this run),
// serving the base image and receiving the built one. Each TLS setting alone must make the build
// work (the pull in the build Pod and the controller's lookup and push); with none, the pull fails.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ImageSpec } from '../../api/types.ts';
import { startTestRegistry, type TestRegistry } from '../../registry/testdata/registry-process.ts';
import { makeTestCertificates, type TestCertificates } from '../../registry/testdata/test-ca.ts';
import { createImageSpec, imageSpecObject, type ControllerProcess } from '../integration/harness.ts';
import { createNamespace, deleteNamespaces } from '../namespaces.ts';
import { finished, keepBuildLogs, namespaceName, readyCondition, seconds, startBuildController, startE2e, type E2e } from './harness.ts';

let e2e: E2e;
let registry: TestRegistry;
let certificates: TestCertificates;
let work: string;
const namespaces: string[] = [];

/** The manifest's HTTP status, asked over HTTPS trusting the test CA only. */
function manifestStatus(image: string): Promise<number> {
  const [, host, repository, tag] = /^([^/]+)\/(.+):([^:@/]+)$/.exec(image) ?? [];
  return new Promise((resolve, reject) => {
    const req = request(`https://${host}/v2/${repository}/manifests/${tag}`, { method: 'HEAD', ca: certificates.caPem, headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject).end();
  });
}

/** Builds the base image alone from the HTTPS registry with a controller configured by `settings`. */
async function buildWith(label: string, settings: Record<string, string>): Promise<ImageSpec> {
  const ns = namespaceName(`tls-${label}`);
  namespaces.push(ns);
  await createNamespace(e2e.kube, ns);
  const controller: ControllerProcess = startBuildController(e2e, `e2e-tls-${label}`, [ns], {
    IMAGESPEC_REGISTRY_ENDPOINT: registry.address,
    IMAGESPEC_REPO_PREFIX: `${registry.address}/built`,
    // The node's registry settings, undone: no credential, nothing insecure but the base registry.
    IMAGESPEC_REGISTRY_USERNAME: '',
    IMAGESPEC_REGISTRY_PASSWORD: '',
    IMAGESPEC_REGISTRY_INSECURE: 'false',
    IMAGESPEC_INSECURE_REGISTRIES: e2e.node.baseRegistry,
    ...settings,
  });
  try {
    const started = Date.now();
    await createImageSpec(e2e.kube, ns, imageSpecObject(label, { baseImage: `${registry.address}/base/debian:bookworm` }));
    const spec = await finished(e2e.kube, ns, label, 10 * 60_000);
    process.stderr.write(`[e2e] ${label}: ${spec.status?.phase} in ${seconds(Date.now() - started)} s\n`);
    if (spec.status?.phase !== 'Succeeded') keepBuildLogs(e2e, ns, spec);
    return spec;
  } finally {
    await controller.stop();
  }
}

function describeFailure(spec: ImageSpec): string {
  const ready = readyCondition(spec);
  return `phase ${spec.status?.phase}, reason ${ready?.reason}: ${ready?.message}`;
}

describe('a registry over HTTPS with a private CA', () => {
  before(async () => {
    e2e = await startE2e();
    work = mkdtempSync(join(tmpdir(), 'imagespec-tls-'));
    certificates = makeTestCertificates(join(work, 'pki'));
    registry = await startTestRegistry(undefined, certificates);
    // The base image, copied from the node's plain registry; skopeo trusts the CA through --dest-cert-dir.
    const certDir = join(work, 'skopeo-certs');
    mkdirSync(certDir);
    copyFileSync(certificates.caFile, join(certDir, 'ca.crt'));
    execFileSync('skopeo', ['copy', '--src-tls-verify=false', '--dest-cert-dir', certDir, `docker://${e2e.node.baseRegistry}/base/debian:bookworm`, `docker://${registry.address}/base/debian:bookworm`], { stdio: ['ignore', 'ignore', 'pipe'] });
  });

  after(async () => {
    await registry?.stop();
    if (e2e) await deleteNamespaces(e2e.kube, namespaces);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('with no TLS setting, the pull refuses the unknown CA and says so', async () => {
    const spec = await buildWith('untrusted', {});
    assert.equal(spec.status?.phase, 'Failed');
    assert.equal(readyCondition(spec)?.reason, 'BaseImagePullFailed');
    assert.match(readyCondition(spec)?.message ?? '', /certificate signed by unknown authority/);
  });

  for (const [label, setting] of [
    ['insecure-list', (address: string) => ({ IMAGESPEC_INSECURE_REGISTRIES: `${e2e.node.baseRegistry},${address}` })],
    ['skip-verify-list', (address: string) => ({ IMAGESPEC_SKIP_TLS_VERIFY_REGISTRIES: address })],
    ['ca-bundle', () => ({ IMAGESPEC_REGISTRY_CA_FILE: certificates.caFile })],
  ] as const) {
    test(`${label} alone: the base image is pulled and the built image pushed over HTTPS`, async () => {
      const spec = await buildWith(label, setting(registry.address));
      assert.equal(spec.status?.phase, 'Succeeded', describeFailure(spec));
      assert.ok(spec.status?.image?.startsWith(`${registry.address}/built/`), String(spec.status?.image));
      assert.equal(await manifestStatus(spec.status!.image!), 200, 'the registry has the image');
    });
  }
});
