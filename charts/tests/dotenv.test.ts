// The admin's .env goes in as it is, as a Secret mounted as a file; the password is rendered
// nowhere else.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { only, render, template, type K8sObject } from './chart.ts';

const PASSWORD = 'pw-9f3!Q"x$y`z\\ end';
const DOTENV = [
  '# the admin\'s file, comments and all',
  'IMAGESPEC_REGISTRY_ENDPOINT=registry.example.com',
  'IMAGESPEC_REGISTRY_USERNAME=robot',
  `IMAGESPEC_REGISTRY_PASSWORD='${PASSWORD}'`,
  '',
].join('\n');

interface Volume {
  name: string;
  secret?: { secretName: string; defaultMode?: number; items?: { key: string; path: string }[] };
}
interface Pod {
  metadata: { annotations?: Record<string, string> };
  spec: {
    volumes: Volume[];
    containers: { env: { name: string; value?: string }[]; volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[] }[];
  };
}

const podOf = (objects: K8sObject[]) => (only(objects, 'Deployment')['spec'] as { template: Pod }).template;

/** The file the controller reads: IMAGESPEC_ENV_FILE, and the Secret volume and key behind it. */
function envFileOf(objects: K8sObject[]): { path: string; secretName: string; key: string; mode?: number; readOnly?: boolean } | undefined {
  const pod = podOf(objects);
  const container = pod.spec.containers[0]!;
  const path = container.env.find((e) => e.name === 'IMAGESPEC_ENV_FILE')?.value;
  if (path === undefined) return undefined;
  const mount = container.volumeMounts.find((m) => path.startsWith(`${m.mountPath}/`));
  assert.ok(mount, `${path} is on a mounted volume`);
  const volume = pod.spec.volumes.find((v) => v.name === mount.name);
  assert.ok(volume?.secret, 'the volume is a Secret');
  const item = volume.secret.items?.find((i) => `${mount.mountPath}/${i.path}` === path);
  assert.ok(item, `the Secret volume projects ${path}`);
  return { path, secretName: volume.secret.secretName, key: item.key, mode: volume.secret.defaultMode, readOnly: mount.readOnly };
}

test('--set-file dotenv=.env becomes a Secret holding the file byte for byte, mounted read-only for the group only', async () => {
  const objects = await render({ dotenv: DOTENV });
  const file = envFileOf(objects);
  assert.ok(file, 'IMAGESPEC_ENV_FILE is set');
  const secret = only(objects, 'Secret', file.secretName);
  assert.equal(Buffer.from((secret['data'] as Record<string, string>)[file.key]!, 'base64').toString('utf8'), DOTENV);
  assert.equal(file.readOnly, true);
  assert.equal(file.mode, 0o440, 'mode 0440: the fsGroup reads it, others cannot');
});

test('the password appears in that Secret only, in no other object, plainly or in base64', async () => {
  const objects = await render({ dotenv: DOTENV });
  const secretName = envFileOf(objects)!.secretName;
  const forms = [PASSWORD, Buffer.from(PASSWORD).toString('base64'), JSON.stringify(PASSWORD).slice(1, -1)];
  for (const object of objects) {
    if (object.kind === 'Secret' && object.metadata.name === secretName) continue;
    const text = JSON.stringify(object);
    for (const form of forms) assert.ok(!text.includes(form), `${object.kind} ${object.metadata.name} contains the password`);
  }
  // And the Deployment takes nothing from it as an environment variable.
  assert.ok(!JSON.stringify(only(objects, 'Deployment')).includes('secretKeyRef'));
});

test('every install or upgrade rolls the Pods, with nothing derived from the .env in the Pod template', async () => {
  const annotations = podOf(await render({ dotenv: DOTENV })).metadata.annotations ?? {};
  assert.equal(annotations['imagespec.dev/release-revision'], '1');
  const digest = createHash('sha256').update(DOTENV).digest('hex');
  assert.ok(!JSON.stringify(annotations).includes(digest));
  assert.deepEqual(podOf(await render({ dotenv: `${DOTENV}IMAGESPEC_LOG_LEVEL=debug\n` })).metadata.annotations, annotations);
});

test('existingSecret: the admin\'s Secret and key are mounted, the chart renders no Secret', async () => {
  const objects = await render({ values: { existingSecret: 'imagespec-env', existingSecretKey: 'prod.env' } });
  assert.equal(objects.filter((o) => o.kind === 'Secret').length, 0);
  const file = envFileOf(objects);
  assert.deepEqual({ secretName: file?.secretName, key: file?.key }, { secretName: 'imagespec-env', key: 'prod.env' });
});

test('existingSecret defaults its key to .env', async () => {
  assert.equal(envFileOf(await render({ values: { existingSecret: 'imagespec-env' } }))?.key, '.env');
});

test('dotenv and existingSecret together are refused with a message', async () => {
  const result = await template({ dotenv: DOTENV, values: { existingSecret: 'imagespec-env' } });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /either dotenv .* or existingSecret, not both/);
  assert.ok(!result.stderr.includes(PASSWORD));
});

test('without a .env nothing is mounted and the controller runs unconfigured', async () => {
  const objects = await render();
  assert.equal(envFileOf(objects), undefined);
  assert.equal(objects.filter((o) => o.kind === 'Secret').length, 0);
});
