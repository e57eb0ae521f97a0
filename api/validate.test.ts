import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { normalizePackages, validateImageSpec, type FieldError } from './validate.ts';
import type { PackageManager } from './packages.ts';
import { API_VERSION } from './types.ts';
import { HOSTILE_PACKAGES } from './testdata/hostile-packages.ts';

function manifest(spec: Record<string, unknown>, name = 'web'): Record<string, unknown> {
  return { apiVersion: API_VERSION, kind: 'ImageSpec', metadata: { name }, spec };
}

function withPackages(manager: PackageManager, entries: unknown[]): Record<string, unknown> {
  return manifest({ baseImage: 'python:3.11', packages: { [manager]: entries } });
}

function errorsOf(object: unknown): FieldError[] {
  const result = validateImageSpec(object);
  return result.ok ? [] : result.errors;
}

const VALID: Record<PackageManager, string[]> = {
  apt: [
    'curl', 'libpq-dev', 'g++', 'libstdc++6', 'python3.11', 'libc6:amd64', 'curl=7.88.1-10+deb12u5', 'libc6:i386=2.36-9',
    'tzdata=2024a-0+deb12u1', 'pkg=1:2.3~rc1-1', 'vim/bookworm-backports', '  git  ', 'curl=7', 'a1=b-c',
  ],
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
    'backports.lzma',
    // spaces around operators, and PEP 508 environment markers
    'numpy >= 1.26',
    'requests [socks] >= 2.31 , < 3',
    'requests[socks]>=2.31,<3; python_version > "3.8"',
    "pandas; python_version >= '3.9'",
    'pkg ; python_version<"3.12"',
    'pkg;python_version<"3.12"',
    'pywin32; sys_platform == "win32" and platform_machine == "AMD64"',
    'uvloop; (sys_platform == "linux" or sys_platform == "darwin") and platform_python_implementation == "CPython"',
    'pkg; "linux" in sys_platform',
    'pkg; python_full_version not in "3.8.0"',
    'pkg[gpu]; extra == "gpu" or implementation_name == "cpython" or implementation_version >= "3.9" or os_name != "nt"',
    'pkg; platform_release >= "5.15" and platform_system == "Linux" and platform_version != "x"',
    'pkg; python_version == "3.*"',
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
    'backports.lzma',
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
      for (const entry of HOSTILE_PACKAGES[manager]) {
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

test('the message says in one sentence why an entry is refused, with the value shown escaped', () => {
  const refusal = (manager: PackageManager, entry: string) => {
    const errors = errorsOf(withPackages(manager, [entry]));
    assert.equal(errors.length, 1, `${manager} ${JSON.stringify(entry)}: ${JSON.stringify(errors)}`);
    assert.equal(errors[0]!.path, `spec.packages.${manager}[0]`);
    return errors[0]!.message;
  };
  assert.equal(refusal('apt', 'curl=7.88.1-'), '"curl=7.88.1-" is not valid: must not end with "-": apt-get reads a trailing "-" as "remove this package"');
  assert.match(refusal('apt', 'ca-certificates/bookworm-'), /must not end with "-"/);
  assert.match(refusal('apt', '-o=Dpkg::Options::=--force-all'), /must not start with "-": apt-get would read it as an option/);
  assert.match(refusal('apt', 'curl git'), /must be one package/);
  assert.match(refusal('pip', 'pkg; rm -rf /'), /must not start with "-" or contain " -": pip reads those as options/);
  assert.match(refusal('pip', 'pkg @ https://evil/pkg.whl'), /URLs, paths and direct references/);
  assert.match(refusal('pip', 'pkg==${VERSION}'), /pip expands \$\{\.\.\.\}/);
  assert.match(refusal('pip', 'pkg #comment'), /reads " #" as a comment/);
  assert.match(refusal('pip', 'pkg-1.0.tar.gz'), /must not be an archive file name .*pip would install it from a local path/);
  assert.match(refusal('pip', 'x.WHL'), /archive file name/);
  assert.match(refusal('pip', 'pkg; foo == "x"'), /only PEP 508 variables .*python_version, python_full_version/);
  assert.match(refusal('pip', 'pkg (>=1.0)'), /^"pkg \(>=1\.0\)" is not valid: must be a pip requirement: name\[extras\]/);
  assert.match(refusal('conda', 'pkg-1.0-0.tar.bz2'), /archive file name .*conda would install it/);
  assert.match(refusal('conda', 'numpy 1.26 py311*'), /without spaces/);
  const newline = refusal('conda', 'numpy\nRUN curl');
  assert.match(newline, /must not contain control characters/);
  assert.match(newline, /"numpy\\nRUN curl"/, 'the value is shown escaped, on one line');
  const bidi = refusal('pip', 'numpy\u202e==1');
  assert.ok(bidi.startsWith('"numpy\\u202e==1" is not valid:'), bidi);
  assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u.test(bidi), 'no raw control or bidirectional character');
});

test('every refusal names the field, never a regular expression', () => {
  for (const manager of ['apt', 'pip', 'conda'] as const) {
    for (const entry of HOSTILE_PACKAGES[manager]) {
      for (const error of errorsOf(withPackages(manager, [entry]))) assert.ok(!/\(\?:|\\x20|\[A-Za-z0-9\]/.test(error.message), error.message);
    }
  }
});

test('a very long hostile string is refused quickly and reported briefly', () => {
  const errors = errorsOf(withPackages('pip', ['a'.repeat(1_000_000) + '; rm -rf /']));
  assert.ok(errors.some((e) => /at most 200 characters, got 1000010/.test(e.message)));
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
  const neither = "must set exactly one of baseImage and build: a build from a Dockerfile takes its base image from the Dockerfile's FROM";
  assert.deepEqual(errorsOf({ apiVersion: API_VERSION, kind: 'ImageSpec', metadata: { name: 'x' }, spec: { packages: {} } }), [{ path: 'spec', message: neither }]);
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
  assert.equal(errors[2]!.message, 'must be at most 63 characters: the name is used as the value of the imagespec.dev/imagespec label on the objects built from it, got 64');
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

test('field names and values in messages carry no raw control or bidirectional characters', () => {
  const errors = errorsOf(manifest({ baseImage: 'python:3.11', 'pack\u202eages': {}, packages: { pip: ['a\u0085b'] } }));
  assert.deepEqual(errors.map((e) => e.path), ['spec.pack\\u202eages', 'spec.packages.pip[0]']);
  assert.match(errors[1]!.message, /^"a\\u0085b" is not valid: must not contain control characters/);
});

test('build arguments: identifiers for names, one line for values, each name once, none of the controller\'s own', () => {
  const withArgs = (buildArgs: unknown) => manifest({ baseImage: 'python:3.11', buildArgs });
  assert.deepEqual(errorsOf(withArgs([{ name: 'PIP_INDEX_URL', value: 'http://127.0.0.1:5002/simple' }, { name: '_x1', value: 'quotes \' " $(id) `id` ; & | \\ stay data' }, { name: 'EMPTY', value: '' }])), []);
  const refused: Array<[unknown, string, RegExp]> = [
    [[{ name: '1X', value: 'a' }], 'spec.buildArgs[0].name', /letters, digits and _, not starting with a digit/],
    [[{ name: 'A-B', value: 'a' }], 'spec.buildArgs[0].name', /build argument name/],
    [[{ name: 'A B', value: 'a' }], 'spec.buildArgs[0].name', /build argument name/],
    [[{ name: '$(id)', value: 'a' }], 'spec.buildArgs[0].name', /build argument name/],
    [[{ name: 'A\nRUN id', value: 'a' }], 'spec.buildArgs[0].name', /build argument name/],
    [[{ name: 'IMAGESPEC_USER', value: 'root' }], 'spec.buildArgs[0].name', /must not start with IMAGESPEC_/],
    [[{ name: 'imagespec_x', value: 'a' }], 'spec.buildArgs[0].name', /must not start with IMAGESPEC_/],
    [[{ name: 'A', value: 'a\nRUN id' }], 'spec.buildArgs[0].value', /one line of text/],
    [[{ name: 'A', value: 'a\tb' }], 'spec.buildArgs[0].value', /one line of text/],
    [[{ name: 'A', value: 'v'.repeat(513) }], 'spec.buildArgs[0].value', /512/],
    [[{ name: 'A', value: '1' }, { name: 'A', value: '2' }], 'spec.buildArgs[1].name', /given twice/],
    [[{ name: 'A' }], 'spec.buildArgs[0].value', /required/],
    [Array.from({ length: 33 }, (_, i) => ({ name: `A${i}`, value: '' })), 'spec.buildArgs', /32/],
  ];
  for (const [buildArgs, path, message] of refused) {
    const errors = errorsOf(withArgs(buildArgs));
    assert.ok(errors.some((error) => error.path === path && message.test(error.message)), `${JSON.stringify(buildArgs).slice(0, 80)}: ${JSON.stringify(errors)}`);
  }
});

test('spec.env: identifiers for names, one line for values, no credentials in URLs, each name once, none of the controller\'s own', () => {
  const withEnv = (env: unknown) => manifest({ baseImage: 'python:3.11', env });
  assert.deepEqual(errorsOf(withEnv([{ name: 'HTTP_PROXY', value: 'http://proxy.example.com:3128' }, { name: 'NO_PROXY', value: '.internal,10.0.0.0/8,127.0.0.1' }, { name: 'EMPTY', value: '' }])), []);
  const refused: Array<[unknown, string, RegExp]> = [
    [[{ name: '1X', value: 'a' }], 'spec.env[0].name', /environment variable name/],
    [[{ name: 'A=B', value: 'a' }], 'spec.env[0].name', /environment variable name/],
    [[{ name: 'IMAGESPEC_CONTEXT_DIR', value: '/tmp' }], 'spec.env[0].name', /must not start with IMAGESPEC_: the build step sets variables of its own/],
    [[{ name: 'HTTP_PROXY', value: 'http://user:pass@proxy:3128' }], 'spec.env[0].value', /must not contain a user name or password/],
    [[{ name: 'HTTPS_PROXY', value: 'https://token@proxy:3128' }], 'spec.env[0].value', /must not contain a user name or password/],
    [[{ name: 'A', value: 'a\nb' }], 'spec.env[0].value', /one line/],
    [[{ name: 'A', value: 'v'.repeat(1025) }], 'spec.env[0].value', /1024/],
    [[{ name: 'A', value: '1' }, { name: 'A', value: '2' }], 'spec.env[1].name', /environment variable name may appear once/],
    [Array.from({ length: 17 }, (_, i) => ({ name: `A${i}`, value: '' })), 'spec.env', /16/],
  ];
  for (const [env, path, message] of refused) {
    const errors = errorsOf(withEnv(env));
    assert.ok(errors.some((error) => error.path === path && message.test(error.message)), `${JSON.stringify(env).slice(0, 80)}: ${JSON.stringify(errors)}`);
  }
});

test('spec.output: a repository with an optional tag, never a digest; the push Secret a Secret name', () => {
  const withOutput = (output: unknown) => manifest({ baseImage: 'python:3.11', output });
  assert.deepEqual(errorsOf(withOutput({ image: '127.0.0.1:5002/team/web' })), []);
  assert.deepEqual(errorsOf(withOutput({ image: 'registry.example.com/team/web:v1', pushSecret: 'team-push' })), []);
  const refused: Array<[unknown, string, RegExp]> = [
    [{ image: `127.0.0.1:5002/team/web@sha256:${'a'.repeat(64)}` }, 'spec.output.image', /must not carry a digest/],
    [{ image: 'https://127.0.0.1:5002/team/web' }, 'spec.output.image', /without a URL scheme/],
    [{ image: '127.0.0.1:5002/Team/Web' }, 'spec.output.image', /lowercase path components/],
    [{ pushSecret: 'x' }, 'spec.output.image', /required/],
    [{ image: '127.0.0.1:5002/team/web', pushSecret: 'Not_A_Name' }, 'spec.output.pushSecret', /Secret name/],
  ];
  for (const [output, path, message] of refused) {
    const errors = errorsOf(withOutput(output));
    assert.ok(errors.some((error) => error.path === path && message.test(error.message)), `${JSON.stringify(output)}: ${JSON.stringify(errors)}`);
  }
});

test('spec.build: a Dockerfile from a ConfigMap or a claim, instead of baseImage, with a path and a stage of their grammars', () => {
  const build = (fields: Record<string, unknown>) => manifest({ build: { context: { configMap: { name: 'app-context' } }, ...fields } });
  assert.deepEqual(errorsOf(build({})), []);
  assert.deepEqual(errorsOf(build({ dockerfile: 'docker/Dockerfile.gpu', target: 'runtime' })), []);
  assert.deepEqual(errorsOf(build({ dockerfile: '.devcontainer/Dockerfile' })), []);
  const both = errorsOf(manifest({ baseImage: 'python:3.11', build: { context: { configMap: { name: 'app-context' } } } }));
  assert.deepEqual(both.map((e) => e.path), ['spec']);
  assert.match(both[0]!.message, /exactly one of baseImage and build/);
  const refused: [string, RegExp][] = [
    ['../Dockerfile', /must not have a \. or \.\. component/],
    ['a/./Dockerfile', /must not have a \. or \.\. component/],
    ['/Dockerfile', /must be relative to the build context/],
    ['Docker file', /must be a relative path inside the build context/],
    ['a//b', /must be a relative path inside the build context/],
  ];
  for (const [dockerfile, message] of refused) {
    const errors = errorsOf(build({ dockerfile }));
    assert.deepEqual(errors.map((e) => e.path), ['spec.build.dockerfile'], dockerfile);
    assert.match(errors[0]!.message, message, dockerfile);
  }
  assert.deepEqual(errorsOf(build({ target: '1st stage' })).map((e) => e.path), ['spec.build.target']);
  const exactlyOne = 'spec.build.context: must name exactly one source: configMap, persistentVolumeClaim or url';
  assert.deepEqual(errorsOf(manifest({ build: { context: {} } })).map((e) => `${e.path}: ${e.message}`), [exactlyOne]);
  const two = { configMap: { name: 'ctx' }, persistentVolumeClaim: { claimName: 'work' } };
  assert.deepEqual(errorsOf(manifest({ build: { context: two } })).map((e) => `${e.path}: ${e.message}`), [exactlyOne]);
  assert.deepEqual(errorsOf(manifest({ build: { context: { persistentVolumeClaim: { claimName: 'work', path: 'projects/app' } } } })), []);
  assert.deepEqual(errorsOf(manifest({ build: { context: { persistentVolumeClaim: { claimName: 'work', path: '../other' } } } })).map((e) => e.path), ['spec.build.context.persistentVolumeClaim.path']);
  assert.deepEqual(errorsOf(manifest({ build: { context: { persistentVolumeClaim: { path: 'x' } } } })).map((e) => `${e.path}: ${e.message}`), ['spec.build.context.persistentVolumeClaim.claimName: required']);
  assert.deepEqual(errorsOf(manifest({ build: { context: { configMap: { name: 'Upper' } } } })).map((e) => e.path), ['spec.build.context.configMap.name']);
});

test('spec.build.context.url: an http(s) URL without credentials, the archive\'s SHA-256 digest, an optional path', () => {
  const digest = 'a'.repeat(64);
  const archive = (url: Record<string, unknown>) => errorsOf(manifest({ build: { context: { url } } })).map((e) => `${e.path}: ${e.message}`);
  assert.deepEqual(archive({ href: 'https://example.com/src/app-1.2.tar.gz', sha256: digest, path: 'app-1.2' }), []);
  assert.deepEqual(archive({ href: 'http://127.0.0.1:8000/context.zip?version=2#top', sha256: digest }), []);
  assert.deepEqual(archive({ href: 'http://[::1]:8000/context.zip', sha256: digest }), []);
  const refused: [string, RegExp][] = [
    ['ftp://example.com/app.tar.gz', /must start with http:\/\/ or https:\/\//],
    ['example.com/app.tar.gz', /must start with http:\/\/ or https:\/\//],
    ['https://user:secret@example.com/app.tar.gz', /must not contain a user name or password/],
    ['https://token@example.com/app.tar.gz', /must not contain a user name or password/],
    ['https://example.com/my app.tar.gz', /must not contain spaces \(write a space as %20\)/],
    ['https://example.com/app.tar.gz\nx', /must not contain control characters/],
    ['https://exa_mple.com/app.tar.gz', /must be an http:\/\/ or https:\/\/ URL of a host or IP address/],
  ];
  for (const [href, message] of refused) {
    const errors = archive({ href, sha256: digest });
    assert.equal(errors.length, 1, `${href}: ${errors.join('; ')}`);
    assert.ok(errors[0]!.startsWith('spec.build.context.url.href: '), errors[0]!);
    assert.match(errors[0]!, message, href);
  }
  // An @ after the host is part of the path, not a user name.
  assert.deepEqual(archive({ href: 'https://example.com/pkgs/@scope/app.tar.gz', sha256: digest }), []);
  assert.deepEqual(archive({ href: 'https://example.com/app.tar.gz', sha256: 'A'.repeat(64) }).map((e) => e.split(':')[0]), ['spec.build.context.url.sha256']);
  assert.deepEqual(archive({ href: 'https://example.com/app.tar.gz' }), ['spec.build.context.url.sha256: required']);
  assert.deepEqual(archive({ href: 'https://example.com/app.tar.gz', sha256: digest, path: '../up' }).map((e) => e.split(':')[0]), ['spec.build.context.url.path']);
  const two = { configMap: { name: 'ctx' }, url: { href: 'https://example.com/a.tgz', sha256: digest } };
  assert.deepEqual(errorsOf(manifest({ build: { context: two } })).map((e) => e.path), ['spec.build.context']);
});
