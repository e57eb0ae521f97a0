// Builds Helm from its official Go module (module/go.mod pins the release) once and reuses it,
// the way e2e/cluster/build.ts builds the Kubernetes components: same cache, same Go settings.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goVersion, runGoBuild, type Log } from '../cluster/build.ts';
import { cacheDir } from '../cluster/paths.ts';

/** The Go module whose go.mod and go.sum pin Helm and everything it links. */
export const helmModuleDir = join(dirname(fileURLToPath(import.meta.url)), 'module');

const mainPackage = 'helm.sh/helm/v3/cmd/helm';
const stampFile = '.stamp';

/** The version go.mod requires of `module`, e.g. v3.22.0 for helm.sh/helm/v3. */
export function requiredVersion(goMod: string, module: string): string {
  const escaped = module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\d+\\.\\d+\\.\\d+\\S*)`, 'm').exec(goMod);
  if (!match?.[1]) throw new Error(`go.mod does not require ${module} at a fixed version`);
  return match[1];
}

function readGoMod(): string {
  return readFileSync(join(helmModuleDir, 'go.mod'), 'utf8');
}

export function helmVersion(goMod = readGoMod()): string {
  return requiredVersion(goMod, 'helm.sh/helm/v3');
}

/** <cache>/helm-<version>/bin/helm */
export function helmPath(version = helmVersion(), env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), `helm-${version}`, 'bin', 'helm');
}

/**
 * Stamps what Helm's own release build stamps: its version (`helm version`), and the Kubernetes
 * version its client-go speaks, which is the default `.Capabilities.KubeVersion` of
 * `helm template` and `helm lint` (checked against Chart.yaml's kubeVersion).
 */
export function helmLdflags(version: string, clientGoVersion: string): string {
  const match = /^v0\.(\d+)\./.exec(clientGoVersion);
  if (!match) throw new Error(`not a client-go release: ${clientGoVersion}`);
  const kube = { major: '1', minor: match[1]! };
  return [
    '-s -w',
    `-X helm.sh/helm/v3/internal/version.version=${version}`,
    // Empty metadata marks a release build (no "+unreleased").
    '-X helm.sh/helm/v3/internal/version.metadata=',
    '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
    ...['pkg/lint/rules', 'pkg/chartutil'].flatMap((pkg) => [
      `-X helm.sh/helm/v3/${pkg}.k8sVersionMajor=${kube.major}`,
      `-X helm.sh/helm/v3/${pkg}.k8sVersionMinor=${kube.minor}`,
    ]),
  ].join(' ');
}

export function helmBuildArgs(output: string, goMod: string): string[] {
  const ldflags = helmLdflags(helmVersion(goMod), requiredVersion(goMod, 'k8s.io/client-go'));
  return ['build', '-v', '-buildvcs=false', '-trimpath', `-ldflags=${ldflags}`, '-o', output, mainPackage];
}

/** Identifies one build: the module's pins, the Go toolchain and the flags. */
export function helmStamp(inputs: { goMod: string; goSum: string; goVersion: string }): string {
  const hash = createHash('sha256');
  for (const part of [inputs.goMod, inputs.goSum, inputs.goVersion, helmBuildArgs('', inputs.goMod).join(' ')]) {
    hash.update(part).update('\0');
  }
  return hash.digest('hex');
}

/**
 * Makes sure <cache>/helm-<version>/bin/helm is built from the pinned module and returns its path.
 * Compiles when missing or stale (a few minutes cold), reporting progress through `log`.
 */
export async function ensureHelm(opts: { log?: Log } = {}): Promise<string> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const goMod = readGoMod();
  const version = helmVersion(goMod);
  const binary = helmPath(version);
  const stampPath = join(dirname(binary), stampFile);
  const stamp = helmStamp({ goMod, goSum: readFileSync(join(helmModuleDir, 'go.sum'), 'utf8'), goVersion: goVersion('Helm') });
  if (existsSync(binary) && existsSync(stampPath) && readFileSync(stampPath, 'utf8').trim() === stamp) return binary;

  mkdirSync(dirname(binary), { recursive: true });
  // One partial file per process: concurrent first runs each finish and rename atomically.
  const partial = `${binary}.partial-${process.pid}`;
  log(`Compiling Helm ${version} from helm.sh/helm/v3 into ${dirname(binary)}; the first time takes a few minutes`);
  const seconds = await runGoBuild(helmBuildArgs(partial, goMod), helmModuleDir, log);
  renameSync(partial, binary);
  writeFileSync(stampPath, `${stamp}\n`);
  log(`Compiled Helm ${version} in ${seconds} s`);
  return binary;
}
