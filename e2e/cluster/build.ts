// Compiles the pinned Kubernetes components once and reuses them: a stamp over
// the module's inputs decides whether the cached binary is current.
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binDir, cacheDir, componentNames, k8sModuleDir, kubernetesVersion } from './paths.ts';
import { withLock } from './lock.ts';

export type Log = (line: string) => void;

const multiCallBinary = 'k8s';
const stampFile = '.stamp';
const progressEverySeconds = 15;

/** Stamps the release into the binaries, as the upstream build does, so /version and Node status tell the truth. */
export function versionLdflags(version: string): string {
  const match = /^v(\d+)\.(\d+)\./.exec(version);
  if (!match) throw new Error(`not a release version: ${version}`);
  const values = { gitVersion: version, gitMajor: match[1], gitMinor: match[2], gitTreeState: 'clean' };
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']
    .flatMap((pkg) => Object.entries(values).map(([name, value]) => `-X ${pkg}.${name}=${value}`))
    .join(' ');
}

/** Flags for `go build`; -s -w drop symbols to shorten the link, -trimpath keeps paths out. */
export const goBuildArgs = (output: string, version: string): string[] => [
  'build',
  '-v',
  '-buildvcs=false',
  '-trimpath',
  `-ldflags=-s -w ${versionLdflags(version)}`,
  '-o',
  output,
  '.',
];

/** Go's caches live beside the binaries (outside the repository) so one directory holds all cost. */
export function goEnv(cache: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    GOCACHE: join(cache, 'go', 'build'),
    GOMODCACHE: join(cache, 'go', 'mod'),
    // Read-only module files would make the cache directory hard to delete.
    GOFLAGS: '-modcacherw',
    GOTOOLCHAIN: 'local',
    GOWORK: 'off',
    // Static binaries, as the upstream release builds them; no C compiler needed.
    CGO_ENABLED: '0',
  };
}

/** Identifies one build: module inputs, the Go toolchain and the flags. */
export function buildStamp(inputs: { goMod: string; goSum: string; mainGo: string; goVersion: string; version: string }): string {
  const hash = createHash('sha256');
  for (const part of [inputs.goMod, inputs.goSum, inputs.mainGo, inputs.goVersion, goBuildArgs('', inputs.version).join(' ')]) {
    hash.update(part).update('\0');
  }
  return hash.digest('hex');
}

/** `go version`, part of every build stamp; `purpose` says what Go is needed for when it is missing. */
export function goVersion(purpose: string): string {
  try {
    return execFileSync('go', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`Go is required to build ${purpose}: \`go\` was not found on PATH`);
  }
}

function currentStamp(version: string): string {
  const read = (name: string) => readFileSync(join(k8sModuleDir, name), 'utf8');
  const go = goVersion('the local cluster\'s Kubernetes components');
  return buildStamp({ goMod: read('go.mod'), goSum: read('go.sum'), mainGo: read('main.go'), goVersion: go, version });
}

function isCurrent(dir: string, stamp: string): boolean {
  const stampPath = join(dir, stampFile);
  if (!existsSync(join(dir, multiCallBinary)) || !existsSync(stampPath)) return false;
  if (readFileSync(stampPath, 'utf8').trim() !== stamp) return false;
  return componentNames.every((name) => existsSync(join(dir, name)));
}

/**
 * Makes sure <cache>/k8s-<version>/bin holds the multi-call binary and one symlink per
 * component. Compiles when missing or stale, reporting progress through `log`.
 */
export async function ensureBinaries(opts: { log?: Log } = {}): Promise<{ binDir: string; compiled: boolean }> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const version = kubernetesVersion();
  const dir = binDir(version);
  const stamp = currentStamp(version);
  if (isCurrent(dir, stamp)) return { binDir: dir, compiled: false };
  // Two processes compiling into the same file would corrupt it: the second waits, then reuses.
  mkdirSync(dir, { recursive: true });
  return withLock(join(dir, 'compile.lock'), { what: 'another compilation of Kubernetes', log, timeoutMs: 90 * 60_000 }, async () => {
    if (isCurrent(dir, stamp)) return { binDir: dir, compiled: false };
    return compileBinaries(dir, stamp, version, log);
  });
}

async function compileBinaries(dir: string, stamp: string, version: string, log: Log): Promise<{ binDir: string; compiled: boolean }> {
  const partial = join(dir, `${multiCallBinary}.partial`);
  log(`Compiling Kubernetes ${version} (kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kubectl)`);
  log(`  into ${dir}; the first time takes many minutes on a small machine, later runs reuse it`);
  const seconds = await runGoBuild(goBuildArgs(partial, version), k8sModuleDir, log);
  renameSync(partial, join(dir, multiCallBinary));
  for (const name of componentNames) {
    rmSync(join(dir, name), { force: true });
    symlinkSync(multiCallBinary, join(dir, name));
  }
  writeFileSync(join(dir, stampFile), `${stamp}\n`);
  log(`Compiled Kubernetes ${version} in ${seconds} s`);
  return { binDir: dir, compiled: true };
}

/** Runs `go ARGS` in a module with the cached Go environment, logging progress; resolves to the seconds it took. */
export function runGoBuild(args: string[], moduleDir: string, log: Log): Promise<number> {
  const started = Date.now();
  const elapsed = () => Math.round((Date.now() - started) / 1000);
  return new Promise((resolvePromise, reject) => {
    const child = spawn('go', args, {
      cwd: moduleDir,
      env: goEnv(cacheDir()),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // `go build -v` names each package as it compiles it; errors arrive on the same stream.
    let packages = 0;
    let lastPackage = '';
    const tail: string[] = [];
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (/^[\w.~-]+(\/[\w.~+-]+)*$/.test(line)) {
          packages += 1;
          lastPackage = line;
        } else if (line.trim()) {
          tail.push(line);
          if (tail.length > 40) tail.shift();
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setInterval(() => {
      const doing = lastPackage ? `${packages} packages compiled, last ${lastPackage}` : 'resolving modules';
      log(`  still compiling (${elapsed()} s, ${doing})`);
    }, progressEverySeconds * 1000);
    child.on('error', (error) => {
      clearInterval(timer);
      reject(new Error(`cannot run go: ${error.message}`));
    });
    child.on('close', (code) => {
      clearInterval(timer);
      if (code === 0) resolvePromise(elapsed());
      else reject(new Error(`go build failed (exit ${code}):\n${tail.join('\n')}`));
    });
  });
}
