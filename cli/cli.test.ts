import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliIo } from './main.ts';
import { parseArgs } from './args.ts';
import { MANIFEST_LIMITS } from './manifest.ts';
import { computeRevision } from '../api/revision.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const NODE = join(root, 'node_modules', '.bin', 'node');
const CLI = join(root, 'cli', 'imagespec.ts');

const VALID = `apiVersion: imagespec.dev/v1alpha1
kind: ImageSpec
metadata:
  name: web
spec:
  baseImage: python:3.11
  packages:
    apt: [curl, libpq-dev]
    pip: ["numpy>=1.26,<2", "requests[socks]==2.32.3"]
  updateTime: 2026-11-20T08:00:00Z
`;

const INVALID = `apiVersion: imagespec.dev/v1alpha1
kind: ImageSpec
metadata:
  name: web
spec:
  baseImage: Not An Image!
  packages:
    apt: ["-o=Dpkg::Options::=--force-all"]
    pip: [numpy, 3.10, "pkg; rm -rf /"]
`;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'imagespec-cli-'));
}

function fixture(text: string): { dir: string; file: string } {
  const dir = tempDir();
  const file = join(dir, 'imagespec.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

async function inProcess(argv: string[], stdin = ''): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { readStdin: async () => stdin, stdout: (l) => out.push(l), stderr: (l) => err.push(l) };
  const code = await runCli(argv, io);
  return { code, out, err };
}

function realCli(argv: string[], stdin?: string) {
  const result = spawnSync(NODE, [CLI, ...argv], { input: stdin ?? '', encoding: 'utf8', cwd: root });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the real CLI, run as a child process', () => {
  test('hash prints the full revision alone on one line, from a file or stdin', () => {
    const { dir, file } = fixture(VALID);
    try {
      const fromFile = realCli(['hash', file]);
      assert.equal(fromFile.code, 0, fromFile.stderr);
      assert.match(fromFile.stdout, /^[0-9a-f]{64}\n$/);
      assert.equal(
        fromFile.stdout.trim(),
        computeRevision({ baseImage: 'python:3.11', packages: { apt: ['curl', 'libpq-dev'], pip: ['numpy>=1.26,<2', 'requests[socks]==2.32.3'] }, updateTime: '2026-11-20T08:00:00Z' }),
        'an unquoted updateTime is read as the string kubectl sends',
      );
      const fromStdin = realCli(['hash', '-'], VALID);
      assert.equal(fromStdin.stdout, fromFile.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('validate exits 0 for a valid ImageSpec and non-zero with one line per problem naming the field', () => {
    const { dir, file } = fixture(VALID);
    try {
      const ok = realCli(['validate', file]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stderr, '');
      const bad = realCli(['validate', '-'], INVALID);
      assert.equal(bad.code, 1);
      const lines = bad.stderr.trimEnd().split('\n');
      assert.deepEqual(
        lines.map((line) => line.slice(0, line.indexOf(': '))),
        ['spec.baseImage', 'spec.packages.apt[0]', 'spec.packages.pip[1]', 'spec.packages.pip[2]'],
      );
      assert.equal(bad.stdout, '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('render prints the Dockerfile; --out writes the whole build context', () => {
    const { dir, file } = fixture(VALID);
    try {
      const printed = realCli(['render', file]);
      assert.equal(printed.code, 0, printed.stderr);
      assert.match(printed.stdout, /^FROM docker\.io\/library\/python:3\.11$/m);
      assert.ok(!printed.stdout.includes('numpy'), 'package names never appear in the Dockerfile');
      const out = join(dir, 'context');
      const written = realCli(['render', file, '--out', out]);
      assert.equal(written.code, 0, written.stderr);
      const files = readdirSync(out).sort();
      assert.ok(files.includes('Dockerfile') && files.includes('apt.txt') && files.includes('requirements.txt'), files.join(' '));
      assert.ok(!files.includes('conda.txt'), 'no list file for an empty list');
      assert.equal(readFileSync(join(out, 'Dockerfile'), 'utf8'), printed.stdout);
      assert.equal(readFileSync(join(out, 'requirements.txt'), 'utf8'), 'numpy>=1.26,<2\nrequests[socks]==2.32.3\n');
      assert.equal(readFileSync(join(out, 'apt.txt'), 'utf8'), 'curl\nlibpq-dev\n');
      for (const script of files.filter((f) => f.endsWith('.sh'))) assert.ok(statSync(join(out, script)).mode & 0o100, `${script} is executable`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('render refuses an invalid ImageSpec instead of rendering it', () => {
    const result = realCli(['render', '-'], INVALID);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^spec\.packages\.pip\[2\]: /m);
  });

  test('an alias bomb, an oversized file and oversized standard input are refused with a clear error', () => {
    const levels = Array.from({ length: 9 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(', ')}]`);
    const { dir, file } = fixture(`l0: &l0 "x"\n${levels.join('\n')}\napiVersion: *l9\n`);
    try {
      const bomb = realCli(['validate', file]);
      assert.equal(bomb.code, 1);
      assert.match(bomb.stderr, /^.*imagespec\.yaml: too large for an ImageSpec manifest: it expands to more than 2000000 nodes and characters \(YAML aliases\)\n$/);
      const large = join(dir, 'large.yaml');
      writeFileSync(large, `a: ${'x'.repeat(MANIFEST_LIMITS.bytes)}\n`);
      const tooLarge = realCli(['hash', large]);
      assert.equal(tooLarge.code, 1);
      assert.equal(tooLarge.stderr, `${large}: more than ${MANIFEST_LIMITS.bytes} bytes: too large for an ImageSpec manifest\n`);
      const fromStdin = realCli(['hash', '-'], `a: ${'x'.repeat(MANIFEST_LIMITS.bytes)}\n`);
      assert.equal(fromStdin.code, 1);
      assert.equal(fromStdin.stderr, `-: more than ${MANIFEST_LIMITS.bytes} bytes: too large for an ImageSpec manifest\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('usage errors exit 2', () => {
    const result = realCli(['build', 'x.yaml']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command "build"/);
    assert.match(result.stderr, /Usage:/);
  });
});

describe('reading manifests', () => {
  test('YAML errors name the file and line', async () => {
    const { code, err } = await inProcess(['validate', '-'], 'spec:\n  baseImage: [unclosed\n');
    assert.equal(code, 1);
    assert.match(err[0]!, /^<stdin>:\d+:\d+: YAML error: /);
  });

  test('exactly one document is expected', async () => {
    assert.match((await inProcess(['hash', '-'], `${VALID}---\n${VALID}`)).err[0]!, /2 documents found/);
    assert.match((await inProcess(['hash', '-'], '# nothing\n')).err[0]!, /no document found/);
  });

  test('a missing file is reported, not thrown', async () => {
    const { code, err } = await inProcess(['validate', '/nonexistent/imagespec.yaml']);
    assert.equal(code, 1);
    assert.equal(err[0], '/nonexistent/imagespec.yaml: no such file');
  });

  test('a problem with the whole document is reported as (document)', async () => {
    const { code, err } = await inProcess(['validate', '-'], '- a list\n- not a map\n');
    assert.equal(code, 1);
    assert.match(err[0]!, /^\(document\): must be an ImageSpec manifest/);
  });

  test('pip requirements with spaces and environment markers validate, hash as their canonical form and render verbatim', async () => {
    const text = VALID.replace('pip: ["numpy>=1.26,<2", "requests[socks]==2.32.3"]', `pip: ["numpy >= 1.26 , < 2", 'requests[socks]>=2.31,<3; python_version > "3.8"']`);
    const hashed = await inProcess(['hash', '-'], text);
    assert.equal(hashed.code, 0, hashed.err.join('\n'));
    const canonical = { apt: ['curl', 'libpq-dev'], pip: ['numpy>=1.26,<2', 'requests[socks]>=2.31,<3; python_version>"3.8"'] };
    assert.equal(hashed.out[0], computeRevision({ baseImage: 'python:3.11', packages: canonical, updateTime: '2026-11-20T08:00:00Z' }));
    const dir = tempDir();
    try {
      const rendered = await inProcess(['render', '-', '--out', dir], text);
      assert.equal(rendered.code, 0, rendered.err.join('\n'));
      assert.equal(readFileSync(join(dir, 'requirements.txt'), 'utf8'), `${canonical.pip.join('\n')}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a duplicated key is reported with its field path', async () => {
    const { code, err } = await inProcess(['validate', '-'], `${VALID}  baseImage: python:3.12\n`);
    assert.equal(code, 1);
    assert.equal(err[0], '<stdin>:11:3: YAML error: duplicated key spec.baseImage (a key may appear only once in a mapping)');
  });

  test('merge keys work as in kubectl', async () => {
    const text = `apiVersion: imagespec.dev/v1alpha1
kind: ImageSpec
metadata:
  name: web
  annotations: &defaults
    baseImage: "python:3.11"
spec:
  <<: *defaults
  packages: {pip: [numpy]}
`;
    const { code, out, err } = await inProcess(['hash', '-'], text);
    assert.equal(code, 0, err.join('\n'));
    assert.equal(out[0], computeRevision({ baseImage: 'python:3.11', packages: { pip: ['numpy'] } }));
  });

  test('render --templates uses an override directory, and reports a bad one', async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir, 'Dockerfile.hbs'), 'FROM {{baseImage}}\n# custom\n');
      const custom = await inProcess(['render', '-', '--templates', dir], VALID);
      assert.equal(custom.code, 0, custom.err.join('\n'));
      assert.deepEqual(custom.out, ['FROM docker.io/library/python:3.11\n# custom']);
      const missing = await inProcess(['render', '-', `--templates=${join(dir, 'nope')}`], VALID);
      assert.equal(missing.code, 1);
      assert.match(missing.err[0]!, /^imagespec render: Templates directory .* does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('argument parsing', () => {
  test('commands, FILE and options', () => {
    assert.deepEqual(parseArgs(['hash', '-']), { ok: true, args: { command: 'hash', file: '-' } });
    assert.deepEqual(parseArgs(['render', 'f.yaml', '--out', 'ctx']), { ok: true, args: { command: 'render', file: 'f.yaml', out: 'ctx' } });
    assert.deepEqual(parseArgs(['render', '--out=ctx', 'f.yaml']), { ok: true, args: { command: 'render', file: 'f.yaml', out: 'ctx' } });
    assert.deepEqual(parseArgs([]), { ok: true, help: true });
    assert.deepEqual(parseArgs(['--help']), { ok: true, help: true });
  });

  test('mistakes are usage errors', () => {
    for (const argv of [['hash'], ['hash', 'a', 'b'], ['hash', 'a', '--out', 'x'], ['render', 'a', '--out'], ['validate', '-x', 'a'], ['nope', 'a']]) {
      const parsed = parseArgs(argv);
      assert.equal(parsed.ok, false, argv.join(' '));
    }
  });
});

test('a spec building its own Dockerfile validates, but hash and render say its content is in the cluster', async () => {
  const own = `apiVersion: imagespec.dev/v1alpha1
kind: ImageSpec
metadata:
  name: own
spec:
  build:
    context:
      configMap:
        name: own-context
    dockerfile: docker/Dockerfile
`;
  const validated = await inProcess(['validate', '-'], own);
  assert.equal(validated.code, 0);
  assert.deepEqual(validated.out, ['ImageSpec own is valid (its revision depends on the content of ConfigMap own-context, read in the cluster)']);
  for (const command of ['hash', 'render']) {
    const refused = await inProcess([command, '-'], own);
    assert.equal(refused.code, 1, command);
    assert.deepEqual(refused.out, []);
    assert.match(refused.err.join('\n'), new RegExp(`^imagespec ${command}: spec.build builds from ConfigMap own-context, whose content only the cluster holds`));
  }
});

test('a Dockerfile build from an archive URL has its revision in the spec: validate, hash and render work', async () => {
  const digest = 'd'.repeat(64);
  const spec = { build: { context: { url: { href: 'https://example.com/app-1.2.tar.gz', sha256: digest, path: 'app-1.2' } } }, packages: { pip: ['six==1.16.0'] } };
  const own = `apiVersion: imagespec.dev/v1alpha1
kind: ImageSpec
metadata:
  name: own
spec:
  build:
    context:
      url:
        href: https://example.com/app-1.2.tar.gz
        sha256: ${digest}
        path: app-1.2
  packages:
    pip: [six==1.16.0]
`;
  const hashed = await inProcess(['hash', '-'], own);
  assert.equal(hashed.code, 0, hashed.err.join('\n'));
  assert.deepEqual(hashed.out, [computeRevision(spec)]);
  const validated = await inProcess(['validate', '-'], own);
  assert.deepEqual(validated.out, [`ImageSpec own is valid (revision ${computeRevision(spec).slice(0, 12)})`]);
  const rendered = await inProcess(['render', '-'], own);
  assert.equal(rendered.code, 0, rendered.err.join('\n'));
  assert.match(rendered.out.join('\n'), /^FROM \$\{IMAGESPEC_SOURCE_IMAGE\}$/m);
});
