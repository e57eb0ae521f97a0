// Runs the rendered build.sh with a stand-in for buildah that replays what the real tool prints,
// to check which reason each failure is reported with. (The real tool is exercised by the
// end-to-end build tests; push.sh has its own test, push-script.test.ts.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { renderBuildContext } from './context.ts';
import { loadTemplates } from './templates.ts';
import { LIST_FILES } from './package-lists.ts';
import { STEP_FAILURES } from './step-failures.ts';

const FAKE_BUILDAH = `#!/bin/sh
while :; do case "$1" in --root|--runroot|--storage-driver) shift 2 ;; *) break ;; esac; done
echo "buildah $*" >> "$FAKE_DIR/calls"
command=$1; shift
case "$command" in
pull)
  echo "Trying to pull \${*##* }..."
  if [ "$FAKE_SCENARIO" = pull-fails ]; then
    echo 'Error: initializing source docker://r.example.com/base:1: reading manifest 1 in r.example.com/base: manifest unknown' >&2
    exit 125
  fi
  echo 0123abcd ;;
inspect) echo "$FAKE_BASE_USER" ;;
bud)
  if [ -n "\${DOCKER_CONFIG:-}" ]; then cp "\$DOCKER_CONFIG/config.json" "\$FAKE_DIR/docker-config.json"; echo "\${NO_PROXY:-}" > "\$FAKE_DIR/no-proxy"; fi
  for last; do :; done
  case "$*" in *--pull=always*)
    # The ImageSpec's own Dockerfile (spec.build).
    ls "$last" > "$FAKE_DIR/source-files"
    echo 'STEP 1/3: FROM r.example.com/base:1 AS build'
    case "$FAKE_SCENARIO" in
    source-from-fails)
      echo 'Error: creating build container: initializing source docker://r.example.com/private:1: reading manifest 1 in r.example.com/private: unauthorized' >&2
      exit 125 ;;
    source-fails)
      echo 'STEP 2/3: RUN make all'
      echo 'make: *** No rule to make target all.  Stop.'
      echo 'Error: building at STEP "RUN make all": exit status 2' >&2
      exit 1 ;;
    esac
    echo 'Successfully tagged source'
    exit 0 ;;
  esac
  ls "$last" > "$FAKE_DIR/context-files"
  case "$FAKE_SCENARIO" in silent-exit-*)
    # A RUN step whose own output never reached the log: only buildah's last line says anything.
    echo 'Error: building at STEP "RUN --mount=type=bind,source=list.txt,target=/tmp/imagespec/list.txt : list": exit status '"\${FAKE_SCENARIO#silent-exit-}" >&2
    exit 1 ;;
  esac
  echo 'STEP 1/8: FROM r.example.com/base:1'
  echo 'STEP 2/8: USER root'
  echo 'STEP 3/8: COPY apt.txt /tmp/imagespec/apt.txt'
  echo 'STEP 4/8: RUN set -eu; xargs --arg-file=/tmp/imagespec/apt.txt apt-get install --yes --'
  if [ "$FAKE_SCENARIO" = apt-fails ]; then
    echo 'E: Unable to locate package nonexistent-package'
    echo 'subprocess exited with status 123'
    echo 'Error: building at STEP "RUN set -eu; xargs --arg-file=/tmp/imagespec/apt.txt apt-get install --yes --": exit status 123' >&2
    exit 1
  fi
  echo 'STEP 5/8: COPY requirements.txt /tmp/imagespec/requirements.txt'
  echo 'STEP 6/8: RUN set -eu; pip install --no-cache-dir --requirement /tmp/imagespec/requirements.txt'
  if [ "$FAKE_SCENARIO" = huge-pip-output ]; then
    i=0; while [ $i -lt 3000 ]; do echo "Collecting package-$i (from versions: a very long line of text that goes on and on and on)"; i=$((i+1)); done
  fi
  case "$FAKE_SCENARIO" in pip-fails|huge-pip-output)
    echo 'ERROR: No matching distribution found for nonexistent-package==1.0'
    echo 'Error: building at STEP "RUN set -eu; pip install --no-cache-dir --requirement /tmp/imagespec/requirements.txt": exit status 1' >&2
    exit 1 ;;
  esac
  echo 'STEP 7/8: ARG IMAGESPEC_USER=root'
  echo 'STEP 8/8: USER \${IMAGESPEC_USER}'
  if [ "$FAKE_SCENARIO" = user-fails ]; then
    echo 'Error: building at STEP "USER \${IMAGESPEC_USER}": something odd' >&2
    exit 1
  fi
  echo 'Successfully tagged localhost/imagespec/build:latest' ;;
tag) ;;
push)
  if [ "$FAKE_SCENARIO" = export-fails ]; then echo 'Error: no space left on device' >&2; exit 1; fi
  for last; do :; done
  layout=\${last#oci:}
  mkdir -p "\${layout%:latest}" ;;
esac
`;

const root = mkdtempSync(join(tmpdir(), 'imagespec-scripts-'));
after(() => rmSync(root, { recursive: true, force: true }));

const bin = join(root, 'bin');
mkdirSync(bin);
writeFileSync(join(bin, 'buildah'), FAKE_BUILDAH);
chmodSync(join(bin, 'buildah'), 0o755);

const files = renderBuildContext(
  loadTemplates(),
  {
    baseImage: 'r.example.com/base:1',
    packages: { apt: ['curl'], conda: [], pip: ['requests==2.32.3'] },
    targetImage: 'r.example.com/team/x:0123456789ab',
  },
  { build: { insecureRegistries: ['r.example.com'] } },
);

/** A build of the ImageSpec's own Dockerfile (spec.build), with its source files. */
function dockerfileBuild(pip: string[]): { files: Record<string, string>; source: Record<string, string> } {
  return {
    files: renderBuildContext(loadTemplates(), { build: { dockerfile: 'Dockerfile.app', target: 'runtime' }, packages: { apt: [], conda: [], pip }, targetImage: 'r.example.com/team/x:0123456789ab' }),
    source: { 'Dockerfile.app': 'FROM r.example.com/base:1 AS build\nRUN make all\nFROM build AS runtime\n', Makefile: 'all:\n' },
  };
}

let runs = 0;
function run(
  script: 'build.sh',
  scenario: string,
  options: { pullSecret?: boolean; baseUser?: string; cacheToken?: string; context?: { files: Record<string, string>; source?: Record<string, string>; claim?: Record<string, string> } } = {},
) {
  const dir = join(root, `run-${++runs}`);
  const context = join(dir, 'context');
  mkdirSync(context, { recursive: true });
  for (const [name, content] of Object.entries(options.context?.files ?? files)) writeFileSync(join(context, name), content);
  if (options.context?.source) {
    mkdirSync(join(context, 'source'));
    for (const [name, content] of Object.entries(options.context.source)) writeFileSync(join(context, 'source', name), content);
  }
  if (options.context?.claim) {
    mkdirSync(join(dir, 'claim'));
    for (const [name, content] of Object.entries(options.context.claim)) {
      mkdirSync(dirname(join(dir, 'claim', name)), { recursive: true });
      writeFileSync(join(dir, 'claim', name), content);
    }
  }
  const secret = join(dir, 'secret.json');
  if (options.pullSecret) writeFileSync(secret, '{"auths":{}}');
  const termination = join(dir, 'termination-log');
  const cacheToken = join(dir, 'cache-token');
  if (options.cacheToken) writeFileSync(cacheToken, options.cacheToken);
  const result = spawnSync('sh', [join(context, script)], {
    encoding: 'utf8',
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      FAKE_DIR: dir,
      FAKE_SCENARIO: scenario,
      FAKE_BASE_USER: options.baseUser ?? '',
      IMAGESPEC_CONTEXT_DIR: context,
      IMAGESPEC_SOURCE_DIR: join(dir, 'claim'),
      IMAGESPEC_OCI_LAYOUT: join(dir, 'workspace', 'image'),
      IMAGESPEC_STORAGE_ROOT: join(dir, 'storage'),
      IMAGESPEC_RUN_ROOT: join(dir, 'run'),
      IMAGESPEC_PULL_AUTHFILE: secret,
      IMAGESPEC_TERMINATION_LOG: termination,
      IMAGESPEC_CACHE_TOKEN: cacheToken,
    },
  });
  const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : '');
  return {
    status: result.status,
    output: result.stdout + result.stderr,
    termination: read('termination-log'),
    calls: read('calls'),
    contextFiles: read('context-files'),
    sourceFiles: read('source-files'),
    dockerConfig: read('docker-config.json'),
    noProxy: read('no-proxy'),
    layoutWritten: existsSync(join(dir, 'workspace', 'image')),
  };
}

describe('build.sh', () => {
  it('pulls, builds as the base image user and writes the OCI layout', () => {
    const result = run('build.sh', 'ok', { baseUser: 'jovyan', pullSecret: true });
    assert.equal(result.status, 0, result.output);
    assert.equal(result.termination, '');
    assert.ok(result.layoutWritten);
    const calls = result.calls.split('\n');
    assert.match(calls[0]!, /^buildah pull --policy always --signature-policy \S+policy\.json --authfile \S+secret\.json r\.example\.com\/base:1$/);
    assert.match(calls[2]!, /^buildah bud --isolation chroot --layers --pull=never .*--build-arg IMAGESPEC_USER=jovyan /);
    assert.match(calls[3]!, /^buildah push .* localhost\/imagespec\/build:job-tmp\.\w+ oci:\S+\/workspace\/image:latest$/);
    assert.equal(result.contextFiles, 'Dockerfile\napt.txt\nrequirements.txt\n');
    assert.match(result.output, /STEP 8\/8/, 'the build output reaches the container log');
  });

  it('builds as root when the base image names no user, and pulls without a secret when none is mounted', () => {
    const result = run('build.sh', 'ok');
    assert.equal(result.status, 0, result.output);
    assert.match(result.calls, /--build-arg IMAGESPEC_USER=root /);
    assert.ok(!result.calls.includes('--authfile'));
  });

  const failures: [string, string, RegExp][] = [
    ['pull-fails', 'BaseImagePullFailed', /manifest unknown/],
    ['apt-fails', 'AptInstallFailed', /E: Unable to locate package nonexistent-package/],
    ['pip-fails', 'PipInstallFailed', /No matching distribution found for nonexistent-package/],
    ['user-fails', 'BuildFailed', /something odd/],
    ['export-fails', 'BuildFailed', /no space left on device/],
  ];
  for (const [scenario, reason, tail] of failures) {
    it(`reports ${reason} when ${scenario}`, () => {
      const result = run('build.sh', scenario);
      assert.notEqual(result.status, 0);
      const [first, summary, ...rest] = result.termination.split('\n');
      assert.equal(first, `reason=${reason}`);
      assert.ok(summary!.length > 0);
      assert.match(rest.join('\n'), tail);
      assert.ok(!/^STEP /m.test(result.termination), 'step headers are left out of the message');
      assert.ok(!result.layoutWritten || scenario === 'export-fails');
    });
  }

  for (const failure of Object.values(STEP_FAILURES)) {
    it(`reports ${failure.reason} with its explanation from exit status ${failure.code} alone`, () => {
      const result = run('build.sh', `silent-exit-${failure.code}`);
      assert.notEqual(result.status, 0);
      const [first, summary = '', details = ''] = result.termination.split('\n');
      assert.equal(first, `reason=${failure.reason}`);
      assert.ok(summary.endsWith(`: ${failure.sentence}`), summary);
      const list = files[LIST_FILES[failure.manager]];
      if (list) assert.equal(details, `Requested (${LIST_FILES[failure.manager]}): ${list.trim().replaceAll('\n', ' ')}`);
    });
  }

  it('reports BuildFailed for an exit status no install step uses', () => {
    const result = run('build.sh', 'silent-exit-1');
    assert.match(result.termination, /^reason=BuildFailed\nBuilding the image failed\n/);
  });

  it('keeps the termination message under 4 KiB, ending with the error', () => {
    const result = run('build.sh', 'huge-pip-output');
    assert.ok(Buffer.byteLength(result.termination) < 4096, `${Buffer.byteLength(result.termination)} bytes`);
    assert.match(result.termination, /^reason=PipInstallFailed\n/);
    assert.match(result.termination, /No matching distribution found/);
  });

  it('builds the ImageSpec\'s own Dockerfile first, pulling every FROM, then the packages on top of it', () => {
    const result = run('build.sh', 'ok', { baseUser: 'app', pullSecret: true, context: dockerfileBuild(['six==1.16.0']) });
    assert.equal(result.status, 0, result.output);
    const calls = result.calls.split('\n');
    assert.ok(!result.calls.includes('buildah pull'), 'no base image of its own to pull');
    assert.match(calls[0]!, /^buildah bud --isolation chroot --layers=true --pull=always .*--authfile \S+secret\.json --target runtime --file \S+\/source\/Dockerfile\.app --tag (localhost\/imagespec\/build:job-tmp\.\w+-source) \S+\/source$/);
    const sourceImage = calls[0]!.match(/--tag (\S+)/)![1]!;
    assert.match(calls[1]!, new RegExp(`^buildah inspect .* ${sourceImage.replaceAll('.', '\\.')}$`));
    assert.match(calls[2]!, new RegExp(`^buildah bud .*--pull=never .*--build-arg IMAGESPEC_SOURCE_IMAGE=${sourceImage.replaceAll('.', '\\.')} --build-arg IMAGESPEC_USER=app `));
    assert.equal(result.sourceFiles, 'Dockerfile.app\nMakefile\n');
    assert.equal(result.contextFiles, 'Dockerfile\nrequirements.txt\n', 'the user\'s files stay out of the package build');
  });

  it('takes the Dockerfile\'s image as it is when there are no packages', () => {
    const result = run('build.sh', 'ok', { context: dockerfileBuild([]) });
    assert.equal(result.status, 0, result.output);
    assert.match(result.calls, /^buildah tag \S+-source localhost\/imagespec\/build:job-tmp\.\w+$/m);
    assert.equal(result.calls.match(/^buildah bud /gm)?.length, 1);
    assert.ok(result.layoutWritten);
  });

  const sourceFailures: [string, string, RegExp][] = [
    ['source-fails', 'BuildFailed', /^Building the Dockerfile Dockerfile\.app failed\n[^]*building at STEP "RUN make all": exit status 2/],
    ['source-from-fails', 'BaseImagePullFailed', /^Could not pull an image the Dockerfile Dockerfile\.app names in FROM\n[^]*unauthorized/],
  ];
  for (const [scenario, reason, message] of sourceFailures) {
    it(`reports ${reason} when the ImageSpec's own Dockerfile fails (${scenario})`, () => {
      const result = run('build.sh', scenario, { context: dockerfileBuild(['six==1.16.0']) });
      assert.notEqual(result.status, 0);
      assert.match(result.termination, new RegExp(`^reason=${reason}\n`));
      assert.match(result.termination.split('\n').slice(1).join('\n'), message);
      assert.ok(!result.layoutWritten);
    });
  }

  it('reports DockerfileNotFound, naming what the context holds, before building anything', () => {
    const { files: rendered } = dockerfileBuild([]);
    const result = run('build.sh', 'ok', { context: { files: rendered, source: { Dockerfile: 'FROM x\n' } } });
    assert.equal(result.termination, 'reason=DockerfileNotFound\nThe Dockerfile Dockerfile.app (spec.build.dockerfile) is not in the build context, which holds: Dockerfile \n');
    assert.equal(result.calls, '');
  });

  const claimBuild = (path?: string) =>
    renderBuildContext(loadTemplates(), {
      build: { dockerfile: 'Dockerfile.app', context: { persistentVolumeClaim: { ...(path ? { path } : {}) } } },
      packages: { apt: [], conda: [], pip: [] },
      targetImage: 'r.example.com/team/x:0123456789ab',
    });

  it('builds from the claim mounted for a Dockerfile build from a persistentVolumeClaim, at its root', () => {
    const result = run('build.sh', 'ok', { context: { files: claimBuild(), claim: { 'Dockerfile.app': 'FROM r.example.com/base:1\n', 'data.csv': 'a,b\n' } } });
    assert.equal(result.status, 0, result.output);
    assert.match(result.calls, /^buildah bud .*--file \S+\/claim\/Dockerfile\.app --tag \S+-source \S+\/claim$/m);
    assert.equal(result.sourceFiles, 'Dockerfile.app\ndata.csv\n');
  });

  it('builds from the path inside the claim, and says so when the claim has no such directory', () => {
    const found = run('build.sh', 'ok', { context: { files: claimBuild('projects/app'), claim: { 'projects/app/Dockerfile.app': 'FROM r.example.com/base:1\n' } } });
    assert.equal(found.status, 0, found.output);
    assert.match(found.calls, /^buildah bud .*--file \S+\/claim\/projects\/app\/Dockerfile\.app --tag \S+-source \S+\/claim\/projects\/app$/m);
    const missing = run('build.sh', 'ok', { context: { files: claimBuild('app'), claim: { 'other/Dockerfile.app': '' } } });
    assert.equal(missing.status, 1);
    assert.equal(missing.termination, 'reason=DockerfileNotFound\nThe path app (spec.build.context.persistentVolumeClaim.path) is not a directory of the claim, which holds: other \n');
    assert.equal(missing.calls, '');
  });

  it('builds from the archive the download step unpacked, at the path the ImageSpec names (the claim\'s mount point)', () => {
    const archiveBuild = (path: string) =>
      renderBuildContext(loadTemplates(), {
        build: { dockerfile: 'Dockerfile.app', context: { url: { path } } },
        packages: { apt: [], conda: [], pip: [] },
        targetImage: 'r.example.com/team/x:0123456789ab',
      });
    const found = run('build.sh', 'ok', { context: { files: archiveBuild('app-1.2'), claim: { 'app-1.2/Dockerfile.app': 'FROM r.example.com/base:1\n' } } });
    assert.equal(found.status, 0, found.output);
    assert.match(found.calls, /^buildah bud .*--file \S+\/claim\/app-1\.2\/Dockerfile\.app --tag \S+-source \S+\/claim\/app-1\.2$/m);
    const missing = run('build.sh', 'ok', { context: { files: archiveBuild('app'), claim: { 'app-1.2/Dockerfile.app': '' } } });
    assert.equal(missing.termination, 'reason=DockerfileNotFound\nThe path app (spec.build.context.url.path) is not a directory of the archive, which holds: app-1.2 \n');
  });

  it('reads and writes the namespace\'s layer cache at the build endpoint with the Pod\'s cache token, past any proxy', () => {
    const withCache = (input: Partial<Parameters<typeof renderBuildContext>[1]>) =>
      renderBuildContext(
        loadTemplates(),
        { baseImage: 'r.example.com/base:1', packages: { apt: ['curl'], conda: [], pip: [] }, targetImage: 'r.example.com/team/x:0123456789ab', ...input },
        { build: { insecureRegistries: ['r.example.com'] } },
      );
    const files = withCache({ layerCache: '10.0.0.7:8081/team/build_cache' });
    assert.match(files['registries.conf']!, /location = "10\.0\.0\.7:8081"\ninsecure = true/);
    const result = run('build.sh', 'ok', { context: { files }, cacheToken: 'pod-bound-cache-token' });
    assert.equal(result.status, 0, result.output);
    assert.match(result.calls, /^buildah bud --isolation chroot --layers --pull=never --http-proxy=true --signature-policy \S+ --cache-from 10\.0\.0\.7:8081\/team\/build_cache --cache-to 10\.0\.0\.7:8081\/team\/build_cache /m);
    const auth = Buffer.from('imagespec-build:pod-bound-cache-token').toString('base64');
    assert.deepEqual(JSON.parse(result.dockerConfig), { auths: { '10.0.0.7:8081': { auth } } });
    assert.equal(result.noProxy, '10.0.0.7\n');
    assert.ok(!result.output.includes('pod-bound-cache-token'), 'the token is never printed');

    // Without a token (a Pod of an earlier version), or without the cache, no cache options.
    const tokenless = run('build.sh', 'ok', { context: { files } });
    assert.equal(tokenless.status, 0, tokenless.output);
    assert.ok(!tokenless.calls.includes('--cache-from'));
    assert.match(tokenless.output, /no token for the layer cache/);
    const off = run('build.sh', 'ok', { cacheToken: 'x' });
    assert.ok(!off.calls.includes('--cache-from'));
    assert.equal(off.dockerConfig, '');
    assert.throws(() => withCache({ layerCache: 'evil.example.com/team/build_cache; rm -rf /' }), /not a cache repository that can be rendered safely/);
  });

  it('builds a Dockerfile that binds files with RUN --mount without the layer cache, which would not see them change', () => {
    const { files } = dockerfileBuild([]);
    const source = { 'Dockerfile.app': 'FROM r.example.com/base:1\nRUN \\\n  --mount=type=bind,source=req.txt,target=/req.txt cat /req.txt\n', 'req.txt': 'x\n' };
    const result = run('build.sh', 'ok', { context: { files, source } });
    assert.equal(result.status, 0, result.output);
    assert.match(result.calls, /^buildah bud --isolation chroot --layers=false --pull=always /m);
    assert.match(result.output, /uses RUN --mount: building it without the layer cache/);
  });
});
