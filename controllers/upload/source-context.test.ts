import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configMapFiles, contextDigest } from '../../api/configmap-context.ts';
import { checkedSourceFiles, readSourceContext } from './source-context.ts';

const configMap = { data: { Dockerfile: 'FROM scratch\n' }, binaryData: { blob: Buffer.from([0, 255]).toString('base64') } };
const digest = contextDigest(configMapFiles(configMap));
const build = { context: { configMap: { name: 'ctx', sha256: digest } }, dockerfile: 'Dockerfile' };

test('the ConfigMap\'s files are served while they have the digest the job recorded', () => {
  const served = checkedSourceFiles(build, configMap, 'team');
  assert.ok('files' in served);
  assert.deepEqual(served.files, { Dockerfile: Buffer.from('FROM scratch\n'), blob: Buffer.from([0, 255]) });
});

test('a ConfigMap edited or deleted since the job was created is refused with a sentence saying so', () => {
  const edited = checkedSourceFiles(build, { data: { Dockerfile: 'FROM debian\n' } }, 'team');
  assert.ok('status' in edited);
  assert.equal(edited.status, 412);
  assert.match(edited.message, /^ConfigMap "ctx" \(the build context\) changed after this revision was created .* the ImageSpec builds the new content as a new revision$/);
  const gone = checkedSourceFiles(build, undefined, 'team');
  assert.deepEqual(gone, { status: 412, message: 'ConfigMap "ctx" (the build context) no longer exists in namespace team' });
});

test('the digest covers names, bytes and boundaries, not whether a file came as data or binaryData', () => {
  const asBinary = { binaryData: { Dockerfile: Buffer.from('FROM scratch\n').toString('base64'), blob: configMap.binaryData.blob } };
  assert.equal(contextDigest(configMapFiles(asBinary)), digest);
  assert.notEqual(contextDigest({ ab: Buffer.from('c') }), contextDigest({ a: Buffer.from('bc') }));
  assert.notEqual(contextDigest({ a: Buffer.from('x'), b: Buffer.from('') }), contextDigest({ a: Buffer.from('x') }));
});

test('a claim travels in no context, and a source the admin turned off is refused for any job', async () => {
  const clients = {} as never; // neither case reads the API
  const claimBuild = { context: { persistentVolumeClaim: { claimName: 'work' } }, dockerfile: 'Dockerfile' };
  assert.equal(await readSourceContext(clients, 'team', claimBuild, ['persistentVolumeClaim']), undefined);
  assert.deepEqual(await readSourceContext(clients, 'team', claimBuild, ['configMap']), {
    status: 403,
    message: 'Builds from a persistentVolumeClaim context are turned off in this cluster (IMAGESPEC_BUILD_CONTEXT_SOURCES)',
  });
  const refused = await readSourceContext(clients, 'team', build, []);
  assert.ok(refused && 'status' in refused && refused.status === 403);
});
