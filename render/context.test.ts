import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderBuildContext } from './context.ts';
import { loadTemplates } from './templates.ts';
import type { BuildInput, RenderSettings } from './view-model.ts';

const templates = loadTemplates();
const GOLDEN_DIR = new URL('./testdata/', import.meta.url).pathname;

const cases: Record<string, { input: BuildInput; settings?: RenderSettings }> = {
  // Every manager, PEP 508 / conda syntax that HTML escaping or naive quoting would break,
  // a bare Docker Hub base name and an insecure target registry.
  'all-managers': {
    input: {
      baseImage: 'python:3.11',
      packages: {
        apt: ['jq', 'git=1:2.39.5-0+deb12u1', 'libc6:amd64'],
        conda: ['numpy=1.26', 'conda-forge::scipy>=1.10,<2'],
        pip: ['numpy>=1.26,<2', 'requests[socks]==2.32.3', 'torch==2.3.1+cpu', "pandas; python_version >= '3.9'"],
      },
      targetImage: '127.0.0.1:5000/team/all-managers:0123456789ab',
    },
    settings: { build: { insecureRegistries: ['127.0.0.1:5000', '127.0.0.1:5001'], security: { isolation: 'chroot', storageDriver: 'vfs' } } },
  },
  // No packages at all: only FROM/USER lines, no list files; a TLS registry.
  'no-packages': {
    input: {
      baseImage: 'registry.example.com/base/notebook@sha256:' + 'a'.repeat(64),
      packages: { apt: [], conda: [], pip: [] },
      targetImage: 'registry.example.com/images/no-packages:0123456789ab',
    },
  },
  'pip-only': {
    input: { baseImage: 'jupyter/base-notebook:2024-01-01', packages: { apt: [], conda: [], pip: ['pkg~=1.4', 'other==1.*'] } },
  },
  // Registries over HTTPS: one skipped verification (an insecure entry, like the plain-HTTP one), and
  // the admin's CA bundle in the context for --cert-dir.
  'registry-tls': {
    input: { baseImage: 'registry.internal:5443/base/debian:bookworm', packages: { apt: [], conda: [], pip: [] }, targetImage: 'registry.internal:5443/team/tls:0123456789ab' },
    settings: {
      build: { insecureRegistries: ['127.0.0.1:5001'], skipTlsVerifyRegistries: ['registry.internal:5443', '127.0.0.1:5001'] },
      registryCa: { pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
    },
  },
  // Build arguments: ARG lines after FROM, their values only in build-args.txt (sorted by name).
  'build-args': {
    input: {
      baseImage: 'python:3.11',
      packages: { apt: [], conda: [], pip: ['six==1.16.0'] },
      buildArgs: [
        { name: 'PIP_INDEX_URL', value: 'http://127.0.0.1:5002/simple' },
        { name: 'APP_NOTE', value: 'quotes \' " $(id) `id` ; & | \\ stay data' },
      ],
      targetImage: '127.0.0.1:5000/team/build-args:0123456789ab',
    },
  },
  // The ImageSpec's own Dockerfile (spec.build): built first by build.sh, the packages on top.
  'dockerfile-build': {
    input: {
      build: { dockerfile: 'docker/Dockerfile.app', target: 'runtime' },
      packages: { apt: [], conda: [], pip: ['six==1.16.0'] },
      targetImage: '127.0.0.1:5000/team/own:0123456789ab',
    },
  },
};

function compareWithGolden(name: string, files: Record<string, string>): void {
  const dir = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  }
  assert.deepEqual(Object.keys(files).sort(), readdirSync(dir).sort(), `files of ${name}`);
  for (const [file, content] of Object.entries(files)) {
    assert.equal(content, readFileSync(join(dir, file), 'utf8'), `${name}/${file} differs from its golden file (UPDATE_GOLDEN=1 rewrites them)`);
  }
}

describe('renderBuildContext golden files', () => {
  for (const [name, { input, settings }] of Object.entries(cases)) {
    it(name, () => compareWithGolden(name, renderBuildContext(templates, input, settings)));
  }
});

describe('renderBuildContext', () => {
  const full = cases['all-managers']!;
  const files = renderBuildContext(templates, full.input, full.settings);
  const dockerfile = files.Dockerfile!;

  it('never writes a package string into the Dockerfile or a script', () => {
    const packages = Object.values(full.input.packages!).flat();
    for (const name of ['Dockerfile', 'build.sh', 'push.sh', 'registries.conf']) {
      for (const pkg of packages) assert.ok(!files[name]!.includes(pkg), `${pkg} appears in ${name}`);
    }
  });

  it('writes each list verbatim, one package per line', () => {
    assert.equal(files['apt.txt'], 'jq\ngit=1:2.39.5-0+deb12u1\nlibc6:amd64\n');
    assert.equal(files['conda.txt'], 'numpy=1.26\nconda-forge::scipy>=1.10,<2\n');
    assert.equal(files['requirements.txt'], "numpy>=1.26,<2\nrequests[socks]==2.32.3\ntorch==2.3.1+cpu\npandas; python_version >= '3.9'\n");
  });

  it('orders apt, conda, pip, each RUN bind-mounting its list and naming its digest', () => {
    const instructions = dockerfile.split('\n').filter((line) => /^[A-Z]+ /.test(line));
    const runs = instructions.filter((line) => line.startsWith('RUN '));
    assert.deepEqual(
      runs.map((line) => /source=([a-z.]+),target=\/tmp\/imagespec\/\1 /.exec(line)?.[1]),
      ['apt.txt', 'conda.txt', 'requirements.txt'],
    );
    assert.ok(!instructions.some((line) => line.startsWith('COPY ')), 'no COPY layer');
    for (const [file, manager] of [['apt.txt', 'apt'], ['conda.txt', 'conda'], ['requirements.txt', 'pip']] as const) {
      const digest = createHash('sha256').update(files[file]!).digest('hex');
      assert.ok(dockerfile.includes(`: list ${file} sha256:${digest};`), `${manager} RUN names the digest of ${file}`);
    }
    assert.equal(instructions[0], 'FROM docker.io/library/python:3.11');
    assert.equal(instructions[1], 'USER root');
    assert.equal(instructions.at(-1), 'USER ${IMAGESPEC_USER}');
  });

  it('changes the install step when only a list changes, so the layer cache cannot reuse it', () => {
    const other = renderBuildContext(templates, { ...full.input, packages: { ...full.input.packages, pip: ['six==1.16.0'] } }, full.settings);
    const runOf = (text: string, file: string) => text.split('\nRUN ').find((part) => part.startsWith(`--mount=type=bind,source=${file}`));
    assert.equal(runOf(other.Dockerfile!, 'apt.txt'), runOf(dockerfile, 'apt.txt'), 'an unchanged apt list keeps its step');
    assert.notEqual(runOf(other.Dockerfile!, 'requirements.txt'), runOf(dockerfile, 'requirements.txt'));
  });

  it('cleans up after each package manager', () => {
    assert.match(dockerfile, /rm -rf \/var\/lib\/apt\/lists\/\*/);
    assert.match(dockerfile, /DEBIAN_FRONTEND=noninteractive/);
    assert.match(dockerfile, /--no-install-recommends -- \|\| failed 92;/);
    assert.match(dockerfile, /conda install --yes --file \/tmp\/imagespec\/conda\.txt/);
    assert.match(dockerfile, /conda clean --all --force-pkgs-dirs --yes/);
    assert.match(dockerfile, /install --no-cache-dir --requirement \/tmp\/imagespec\/requirements\.txt/);
  });

  it('omits the layers and files of empty managers', () => {
    const pipOnly = renderBuildContext(templates, cases['pip-only']!.input);
    assert.ok(!('apt.txt' in pipOnly) && !('conda.txt' in pipOnly));
    assert.ok(!pipOnly.Dockerfile!.includes('apt-get') && !pipOnly.Dockerfile!.includes('conda install'));
    assert.equal(pipOnly['requirements.txt'], 'pkg~=1.4\nother==1.*\n');
  });

  it('passes build arguments as data: names in ARG lines, values only in build-args.txt', () => {
    const input = cases['build-args']!.input;
    const withArgs = renderBuildContext(templates, input);
    assert.equal(withArgs['build-args.txt'], `APP_NOTE=${input.buildArgs![1]!.value}\nPIP_INDEX_URL=http://127.0.0.1:5002/simple\n`);
    assert.match(withArgs.Dockerfile!, /^FROM docker\.io\/library\/python:3\.11\nARG APP_NOTE\nARG PIP_INDEX_URL\nUSER root$/m);
    for (const name of ['Dockerfile', 'build.sh', 'push.sh', 'registries.conf']) {
      for (const { value } of input.buildArgs!) assert.ok(!withArgs[name]!.includes(value), `a value appears in ${name}`);
    }
    assert.ok(!('build-args.txt' in files), 'no file without arguments');
    assert.match(dockerfile, /^FROM [^\n]+\nUSER root$/m, 'no ARG line without arguments');
    for (const bad of [{ name: 'A\nRUN id', value: 'x' }, { name: 'IMAGESPEC_USER', value: 'x' }, { name: 'A', value: 'x\ny' }, { name: 'A', value: 'x\u2028y' }]) {
      assert.throws(() => renderBuildContext(templates, { ...input, buildArgs: [bad] }), /spec\.buildArgs\[0\]/);
    }
    assert.throws(() => renderBuildContext(templates, { ...input, buildArgs: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }] }), /given twice/);
  });

  it('marks insecure registries for pulls', () => {
    assert.match(files['registries.conf']!, /location = "127\.0\.0\.1:5000"\ninsecure = true/);
    assert.match(files['registries.conf']!, /location = "127\.0\.0\.1:5001"\ninsecure = true/);
    const secure = renderBuildContext(templates, cases['no-packages']!.input);
    assert.ok(!secure['registries.conf']!.includes('[[registry]]'));
  });

  it('writes the upload URL into push.sh only when it is a plain URL', () => {
    const input = { ...cases['no-packages']!.input, uploadUrl: 'http://127.0.0.1:8081/v1/namespaces/team/imagespecjobs/x-0123456789ab/image' };
    assert.match(renderBuildContext(templates, input)['push.sh']!, /^upload_url='http:\/\/127\.0\.0\.1:8081\/v1\/namespaces\/team\/imagespecjobs\/x-0123456789ab\/image'$/m);
    for (const uploadUrl of ["http://h/x'; rm -rf /", 'http://h/$(id)', 'file:///etc/passwd', 'http://h/a b']) {
      assert.throws(() => renderBuildContext(templates, { ...input, uploadUrl }), /uploadUrl: .* is not a URL that can be rendered safely/);
    }
  });

  it('renders scripts a POSIX shell accepts and a policy that is JSON', () => {
    for (const name of ['build.sh', 'push.sh']) execFileSync('sh', ['-n', '-c', files[name]!]);
    assert.deepEqual(JSON.parse(files['policy.json']!), { default: [{ type: 'insecureAcceptAnything' }] });
  });

  it('passes the build settings to buildah', () => {
    const overlay = renderBuildContext(templates, full.input, { build: { security: { isolation: 'oci', storageDriver: 'overlay' } } });
    assert.match(overlay['build.sh']!, /^isolation='oci'$/m);
    assert.match(overlay['build.sh']!, /^storage_driver='overlay'$/m);
    assert.match(files['build.sh']!, /^base_image='docker\.io\/library\/python:3\.11'$/m);
    assert.match(files['push.sh']!, /^target_image='127\.0\.0\.1:5000\/team\/all-managers:0123456789ab'$/m);
  });
});

describe('renderBuildContext refuses values that could escape their line', () => {
  const base = { baseImage: 'debian:bookworm', targetImage: 'r.example.com/x:1' };
  const hostile: [string, Partial<Record<'apt' | 'pip' | 'conda', string[]>>, RegExp][] = [
    ['a newline', { apt: ['curl\nRUN rm -rf /'] }, /spec\.packages\.apt\[0\].*control characters/],
    ['a carriage return', { pip: ['ok', 'numpy\r'] }, /spec\.packages\.pip\[1\].*control characters/],
    ['a NUL', { conda: ['numpy\u0000'] }, /spec\.packages\.conda\[0\]/],
    ['a Unicode line separator', { pip: ['numpy\u2028x'] }, /spec\.packages\.pip\[0\]/],
    ['a leading dash (an option)', { apt: ['--allow-unauthenticated'] }, /spec\.packages\.apt\[0\].*letter or a digit/],
    ['a pip file option', { pip: ['-r /etc/passwd'] }, /spec\.packages\.pip\[0\]/],
    ['a pip per-requirement option', { pip: ['pkg --global-option=--evil'] }, /spec\.packages\.pip\[0\].*pip options/],
    ['conda explicit mode', { conda: ['@EXPLICIT'] }, /spec\.packages\.conda\[0\]/],
    ['an empty string', { apt: [' '] }, /spec\.packages\.apt\[0\]/],
  ];
  for (const [what, packages, message] of hostile) {
    it(what, () => assert.throws(() => renderBuildContext(templates, { ...base, packages }), message));
  }

  it('a base image with a newline, a space, a quote or a leading dash', () => {
    for (const baseImage of ['debian\nRUN id', 'debian bookworm', "debian'", '--platform=x debian']) {
      assert.throws(() => renderBuildContext(templates, { baseImage }), /spec\.baseImage/);
    }
  });

  it('a target image or insecure registry that is not a plain reference', () => {
    assert.throws(() => renderBuildContext(templates, { baseImage: 'debian', targetImage: "x';id;'" }), /spec\.targetImage/);
    assert.throws(
      () => renderBuildContext(templates, { baseImage: 'debian' }, { build: { insecureRegistries: ['a"\n[x]'] } }),
      /insecureRegistries\[0\]/,
    );
  });
});

describe('loadTemplates', () => {
  it('replaces built-in templates with same-named files of the override directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imagespec-templates-'));
    try {
      writeFileSync(join(dir, 'Dockerfile.hbs'), 'FROM {{baseImage}}\nLABEL org.example.team=data\n');
      writeFileSync(join(dir, 'unrelated.txt'), 'ignored');
      const custom = loadTemplates(dir);
      const files = renderBuildContext(custom, { baseImage: 'debian:bookworm' });
      assert.equal(files.Dockerfile, 'FROM docker.io/library/debian:bookworm\nLABEL org.example.team=data\n');
      assert.equal(files['build.sh'], renderBuildContext(templates, { baseImage: 'debian:bookworm' })['build.sh']);
      assert.equal(custom.sources.Dockerfile, join(dir, 'Dockerfile.hbs'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails at start-up, naming the file, for a template using an unknown field or broken syntax', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imagespec-templates-'));
    try {
      writeFileSync(join(dir, 'Dockerfile.hbs'), 'FROM {{baseImag}}\n');
      assert.throws(() => loadTemplates(dir), /Dockerfile\.hbs.*baseImag/s);
      writeFileSync(join(dir, 'Dockerfile.hbs'), 'FROM {{#if baseImage}}\n');
      assert.throws(() => loadTemplates(dir), /Dockerfile\.hbs/);
      writeFileSync(join(dir, 'Dockerfile.hbs'), 'FROM {{shell baseImage}}\n');
      assert.throws(() => loadTemplates(dir), /Dockerfile\.hbs/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a missing override directory', () => {
    assert.throws(() => loadTemplates('/nonexistent/imagespec-templates'), /does not exist/);
  });
});
