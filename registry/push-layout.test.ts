// pushLayoutTar against a real registry (Debian's docker-registry, distribution 2.8) on loopback:
// htpasswd (Basic) auth, and token (Bearer) auth with a token service run by the test.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LayoutError, RegistryError } from './errors.ts';
import { registryLookup } from './existing-image.ts';
import { pushLayoutTar, type PushTarget } from './push-layout.ts';
import { OCI_MANIFEST, tarLayout, writeLayout, type TestLayout } from './testdata/oci-layout.ts';
import { startTestRegistry, type TestRegistry } from './testdata/registry-process.ts';
import { startTokenService, type TestTokenService } from './testdata/token-service.ts';

const credentials = { username: 'imagespec-push', password: `pw-${Math.random().toString(36).slice(2)}-secret` };
const basicHeader = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;

/** Pushes the layout as tar streams it, `paths` in that order, and always ends the tar process. */
async function push(layout: TestLayout, target: PushTarget, paths?: readonly string[]) {
  const tar = tarLayout(layout.dir, paths);
  try {
    return await pushLayoutTar(tar.stdout, target);
  } finally {
    await tar.close();
  }
}

/** GET the manifest by tag with Basic auth: its status and Docker-Content-Digest. */
async function manifestByTag(address: string, repository: string, tag: string): Promise<{ status: number; digest: string | null }> {
  const response = await fetch(`http://${address}/v2/${repository}/manifests/${tag}`, { headers: { Authorization: basicHeader, Accept: OCI_MANIFEST } });
  await response.arrayBuffer();
  return { status: response.status, digest: response.headers.get('docker-content-digest') };
}

const isLayoutError = (pattern: RegExp) => (error: unknown) => error instanceof LayoutError && pattern.test(error.message);

describe('with htpasswd (Basic) auth', () => {
  let registry: TestRegistry | undefined;
  const layouts: TestLayout[] = [];
  const layout = (changes?: Parameters<typeof writeLayout>[0]) => {
    const written = writeLayout(changes);
    layouts.push(written);
    return written;
  };
  const target = (repository: string, tag: string): PushTarget => ({ registry: registry!.address, repository, tag, insecure: true, credentials });

  before(async () => {
    registry = await startTestRegistry({ htpasswd: credentials });
  });
  after(async () => {
    await registry?.stop();
    for (const written of layouts) written.remove();
  });

  test('pushes the image, index.json first: the tag has the returned digest; a second push uploads nothing', async () => {
    const image = layout();
    const first = await push(image, target('team-a/web', 'v1'), ['./index.json', './oci-layout', './blobs']);
    assert.deepEqual(first, { digest: image.manifestDigest, bytes: image.blobBytes, blobsUploaded: 3, blobsSkipped: 0 });
    assert.deepEqual(await manifestByTag(registry!.address, 'team-a/web', 'v1'), { status: 200, digest: image.manifestDigest });

    const again = await push(image, target('team-a/web', 'v2'), ['./blobs', './oci-layout', './index.json']);
    assert.deepEqual(again, { digest: image.manifestDigest, bytes: 0, blobsUploaded: 0, blobsSkipped: 3 });
    assert.deepEqual(await manifestByTag(registry!.address, 'team-a/web', 'v2'), { status: 200, digest: image.manifestDigest });
  });

  test('the lookup finds a pushed image by tag, and nothing for a tag never pushed', async () => {
    const image = layout();
    await push(image, target('team-a/lookup', '0123456789ab'));
    const lookup = registryLookup({ endpoint: registry!.address, insecure: true, ...credentials }, { insecure: true });
    try {
      assert.equal(await lookup.digestOf(`${registry!.address}/team-a/lookup:0123456789ab`), image.manifestDigest);
      assert.equal(await lookup.digestOf(`${registry!.address}/team-a/lookup:ba9876543210`), undefined);
      assert.equal(await lookup.digestOf(`${registry!.address}/team-a/never:0123456789ab`), undefined);
      assert.equal(await lookup.digestOf(`other.test:5000/team-a/lookup:0123456789ab`), undefined, 'another registry is never asked');
    } finally {
      lookup.close();
    }
    const wrong = registryLookup({ endpoint: registry!.address, insecure: true, username: credentials.username, password: 'not-the-password' }, { insecure: true });
    try {
      await assert.rejects(wrong.digestOf(`${registry!.address}/team-a/lookup:0123456789ab`), (error) => {
        assert.ok(error instanceof RegistryError, String(error));
        assert.equal(error.status, 401);
        assert.ok(!error.message.includes('not-the-password'));
        return true;
      });
    } finally {
      wrong.close();
    }
  });

  test('a wrong password is a RegistryError 401 that does not show the password', async () => {
    const wrong = { username: credentials.username, password: `${credentials.password}-wrong` };
    await assert.rejects(push(layout(), { ...target('team-a/denied', 'v1'), credentials: wrong }), (error) => {
      assert.ok(error instanceof RegistryError, String(error));
      assert.equal(error.status, 401);
      assert.match(error.message, /team-a\/denied.*HTTP 401.*check the registry username and password/);
      assert.ok(!error.message.includes(wrong.password) && !error.message.includes(credentials.password));
      return true;
    });
  });

  test('a refusal names where the credential came from, when the caller says, or that there was none', async () => {
    const wrong = { username: credentials.username, password: 'stale' };
    const source = 'the username and password in Secret "team-a-push" (spec.output.pushSecret)';
    await assert.rejects(push(layout(), { ...target('team-a/tenant', 'v1'), credentials: wrong, credentialSource: source }), (error) => {
      assert.ok(error instanceof RegistryError, String(error));
      assert.match(error.message, /HTTP 401; check the username and password in Secret "team-a-push" \(spec\.output\.pushSecret\)\.$/);
      return true;
    });
    const { credentials: _none, ...anonymous } = target('team-a/tenant', 'v1');
    await assert.rejects(push(layout(), { ...anonymous, credentialSource: 'spec.output.pushSecret names no Secret' }), (error) => {
      assert.ok(error instanceof RegistryError, String(error));
      assert.match(error.message, /HTTP 401; the registry wants credentials and none are configured \(spec\.output\.pushSecret names no Secret\)\.$/);
      return true;
    });
  });

  test('a blob whose content does not match its name is a LayoutError, and nothing is tagged', async () => {
    await assert.rejects(push(layout({ corruptLayer: true }), target('team-a/corrupt', 'v1')), isLayoutError(/does not match its name.*\(pushing 127\.0\.0\.1:\d+\/team-a\/corrupt:v1\)/));
    assert.equal((await manifestByTag(registry!.address, 'team-a/corrupt', 'v1')).status, 404);
  });

  test('a layout without index.json is a LayoutError, and nothing is tagged', async () => {
    await assert.rejects(push(layout({ withoutIndex: true }), target('team-a/no-index', 'v1')), isLayoutError(/The layout has no index\.json/));
    assert.equal((await manifestByTag(registry!.address, 'team-a/no-index', 'v1')).status, 404);
  });

  test('without insecure, a plain-HTTP registry is unreachable: a RegistryError without status', async () => {
    await assert.rejects(push(layout(), { ...target('team-a/tls', 'v1'), insecure: false }), (error) => {
      assert.ok(error instanceof RegistryError, String(error));
      assert.equal(error.status, undefined);
      assert.match(error.message, /^Could not reach the registry 127\.0\.0\.1:\d+ to push 127\.0\.0\.1:\d+\/team-a\/tls: /);
      return true;
    });
  });
});

describe('with token (Bearer) auth', () => {
  let tokens: TestTokenService | undefined;
  let registry: TestRegistry | undefined;
  let image: TestLayout | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'imagespec-token-'));

  before(async () => {
    tokens = await startTokenService(dir, credentials);
    registry = await startTestRegistry({ token: tokens });
    image = writeLayout();
  });
  after(async () => {
    await registry?.stop();
    await tokens?.stop();
    image?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  test('pushes with a token scoped to the repository, asked for with the credentials', async () => {
    const pushed = await push(image!, { registry: registry!.address, repository: 'team-b/api', tag: 'v1', insecure: true, credentials });
    assert.equal(pushed.digest, image!.manifestDigest);
    assert.equal(pushed.blobsUploaded, 3);
    assert.ok(tokens!.requests.length >= 1);
    for (const request of tokens!.requests) {
      assert.deepEqual(request, { service: tokens!.service, scope: 'repository:team-b/api:pull,push', username: credentials.username });
    }
  });

  test('the lookup asks for a token as a push does, and finds the pushed image', async () => {
    await push(image!, { registry: registry!.address, repository: 'team-b/lookup', tag: 'v1', insecure: true, credentials });
    const lookup = registryLookup({ endpoint: registry!.address, insecure: true, ...credentials }, { insecure: true });
    try {
      assert.equal(await lookup.digestOf(`${registry!.address}/team-b/lookup:v1`), image!.manifestDigest);
      assert.equal(await lookup.digestOf(`${registry!.address}/team-b/lookup:v2`), undefined);
    } finally {
      lookup.close();
    }
  });

  test('a token service refusing the credentials is a RegistryError 401 without the password', async () => {
    const wrong = { username: credentials.username, password: 'not-the-password' };
    await assert.rejects(push(image!, { registry: registry!.address, repository: 'team-b/api', tag: 'v2', insecure: true, credentials: wrong }), (error) => {
      assert.ok(error instanceof RegistryError, String(error));
      assert.equal(error.status, 401);
      assert.equal(error.code, 'UNAUTHORIZED');
      assert.match(error.message, /get a token to push 127\.0\.0\.1:\d+\/team-b\/api.*token service http:\/\/127\.0\.0\.1:\d+\/token answered HTTP 401/);
      assert.ok(!error.message.includes(wrong.password));
      return true;
    });
  });
});
