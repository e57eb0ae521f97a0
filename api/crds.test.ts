import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import yaml from 'js-yaml';
import { crdFiles, imageSpecJobSchema, imageSpecSchema, type Schema } from './crd-schema.ts';
import { crdDirs, renderCrdFiles } from './crd-yaml.ts';
import { forStrictValidation } from './schema-strict.ts';
import { schemaAjv } from './schema-ajv.ts';
import { computeRevision } from './revision.ts';
import { desiredJob } from '../controllers/imagespec/decide.ts';
import { normalizePackages } from './packages.ts';
import type { ImageSpec } from './types.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

test('crds/ and the chart\'s crds/ are generated from api/crd-schema.ts (run npm run generate:crds after a change)', () => {
  const rendered = renderCrdFiles();
  assert.deepEqual(crdDirs.map((dir) => relative(root, dir)), ['crds', join('charts', 'imagespec-controller', 'crds')]);
  for (const dir of crdDirs) {
    const shown = relative(root, dir);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort(), Object.keys(rendered).sort(), `${shown} holds other files`);
    for (const [file, text] of Object.entries(rendered)) {
      assert.equal(readFileSync(join(dir, file), 'utf8'), text, `${shown}/${file} is out of date`);
      assert.deepEqual(yaml.load(text), crdFiles()[file], `${shown}/${file} reads back as the same object`);
    }
  }
});

/** Every schema node below the root, with its field path. */
function* nodes(schema: Schema, path = ''): Generator<[string, Schema]> {
  for (const [name, child] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) {
    const childPath = path ? `${path}.${name}` : name;
    yield [childPath, child];
    yield* nodes(child, childPath);
  }
  if (schema.items) {
    yield [`${path}[]`, schema.items as Schema];
    yield* nodes(schema.items as Schema, `${path}[]`);
  }
}

for (const [kind, schema] of [['ImageSpec', imageSpecSchema()], ['ImageSpecJob', imageSpecJobSchema()]] as const) {
  test(`${kind}: every field has a description and limits`, () => {
    assert.ok(schema.description);
    for (const [path, node] of nodes(schema)) {
      // The API server allows nothing but `type: object` on metadata, and at the root a schema for
      // name (declared so that the name rule can report at metadata.name).
      if (path === 'metadata') {
        assert.deepEqual(node, kind === 'ImageSpec' ? { type: 'object', properties: { name: { type: 'string' } } } : { type: 'object' });
        continue;
      }
      if (path === 'metadata.name') continue;
      assert.ok(typeof node.description === 'string' && node.description.length > 10, `${kind} ${path} has no description`);
      // apiVersion and kind are checked by the API server itself.
      const typeMeta = path === 'apiVersion' || path === 'kind';
      if (node.type === 'string' && !node.enum && node.format !== 'date-time' && !typeMeta) assert.ok(typeof node.maxLength === 'number', `${kind} ${path} has no maxLength`);
      if (node.type === 'array') assert.ok(typeof node.maxItems === 'number', `${kind} ${path} has no maxItems`);
      if (typeof node.pattern === 'string') {
        assert.doesNotThrow(() => new RegExp(node.pattern as string, 'u'), `${kind} ${path}`);
        assert.ok(!/\(\?[=!<]|\\[1-9]/.test(node.pattern as string), `${kind} ${path}: lookaround or backreference (not RE2)`);
        // The API server prints a failed pattern whole: only short ones, and none in the spec.
        assert.ok((node.pattern as string).length < 40 && !path.startsWith('spec.'), `${kind} ${path}: a CEL rule with a message instead of a pattern`);
      }
    }
  });
}

test('CRD shape: namespaced, status subresource, short names, category, printer columns', () => {
  const files = crdFiles();
  const byKind = Object.fromEntries(Object.values(files).map((crd) => [((crd.spec as Schema).names as Schema).kind, crd.spec as Schema]));
  for (const [kind, shortName, columns] of [
    ['ImageSpec', 'ims', ['Phase', 'Job', 'Image', 'Reason', 'Age']],
    ['ImageSpecJob', 'imsj', ['Phase', 'Revision', 'Target', 'Reason', 'Age']],
  ] as const) {
    const spec = byKind[kind]!;
    assert.equal(spec.scope, 'Namespaced');
    assert.deepEqual((spec.names as Schema).shortNames, [shortName]);
    assert.deepEqual((spec.names as Schema).categories, ['imagespec-all']);
    const [version] = spec.versions as Schema[];
    assert.equal(version!.name, 'v1alpha1');
    assert.deepEqual(version!.subresources, { status: {} });
    const printed = (version!.additionalPrinterColumns as Schema[]).filter((c) => !c.priority).map((c) => c.name);
    assert.deepEqual(printed, [...columns]);
  }
});

test('CEL rules: ImageSpec name length reported at metadata.name, ImageSpecJob spec immutable', () => {
  const nameRule = (imageSpecSchema()['x-kubernetes-validations'] as Schema[])[0]!;
  assert.equal(nameRule.rule, 'size(self.metadata.name) <= 63');
  assert.match(String(nameRule.message), /^must be at most 63 characters: /);
  assert.equal(nameRule.fieldPath, '.metadata.name');
  const jobSpec = (imageSpecJobSchema().properties as Record<string, Schema>).spec!;
  const immutable = (jobSpec['x-kubernetes-validations'] as Schema[])[0]!;
  assert.equal(immutable.rule, 'self == oldSelf');
  assert.match(String(immutable.message), /^spec is immutable/);
});

function compile(schema: Schema) {
  const { metadata: _m, ...properties } = schema.properties as Record<string, Schema>;
  return schemaAjv().compile(forStrictValidation({ ...schema, properties: { ...properties, metadata: { type: 'object' } } }));
}

test('the examples and a PrimeHub export (status included) satisfy the whole ImageSpec schema', () => {
  const validate = compile(imageSpecSchema());
  for (const file of readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of yaml.loadAll(readFileSync(join(root, 'examples', file), 'utf8'))) {
      if ((doc as Schema | null)?.kind !== 'ImageSpec') continue;
      assert.ok(validate(doc), `examples/${file}: ${JSON.stringify(validate.errors)}`);
    }
  }
});

test('the ImageSpecJob the controller creates, and the status it writes, satisfy the ImageSpecJob schema', () => {
  const imageSpec: ImageSpec = {
    apiVersion: 'imagespec.dev/v1alpha1',
    kind: 'ImageSpec',
    metadata: { name: 'web', namespace: 'team', uid: 'u1', generation: 1 },
    spec: { baseImage: '127.0.0.1:5001/base/python:3.11', pullSecret: 'base-pull', packages: { apt: [' git '], pip: ['numpy>=1.26,<2'] }, updateTime: '2026-11-20T08:00:00Z' },
  };
  const revision = computeRevision(imageSpec.spec);
  const job = desiredJob(
    {
      imageSpec,
      problems: [],
      envRefused: [],
      revision,
      packages: normalizePackages(imageSpec.spec.packages),
      pullSecretMissing: false,
      jobs: [],
      historySucceeded: 5,
      historyFailed: 5,
      now: '2026-11-23T10:00:00Z',
    },
    { endpoint: '127.0.0.1:5000', repoPrefix: '127.0.0.1:5000/team', insecure: true },
  );
  job.status = {
    phase: 'Failed',
    podName: 'web-0123456789ab-build',
    startTime: '2026-11-23T10:00:01Z',
    completionTime: '2026-11-23T10:02:00Z',
    reason: 'PipInstallFailed',
    message: 'ERROR: No matching distribution found for numpy>=1.26,<2\nkubectl logs -n team web-0123456789ab-build -c build',
    conditions: [{ type: 'Succeeded', status: 'False', reason: 'PipInstallFailed', message: 'x', lastTransitionTime: '2026-11-23T10:02:00Z' }],
  };
  const validate = compile(imageSpecJobSchema());
  assert.ok(validate(job), JSON.stringify(validate.errors));
  assert.ok(!validate({ ...job, spec: { ...job.spec, revision: 'abc' } }), 'a bad revision is refused');
});
