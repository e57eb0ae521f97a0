// Where the local cluster keeps things: state under <repo>/.cluster (git-ignored),
// compiled Kubernetes outside the repository, keyed on the pinned release.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Go module that names the pinned release and the components it builds. */
export const k8sModuleDir = join(dirname(fileURLToPath(import.meta.url)), 'k8s');

export const repoRoot = resolve(k8sModuleDir, '..', '..', '..');

/** Components inside the multi-call binary; each is a symlink to it. */
export const componentNames = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kubectl',
] as const;
export type ComponentName = (typeof componentNames)[number];

/** Reads the pinned k8s.io/kubernetes version from the module's go.mod text. */
export function parseKubernetesVersion(goMod: string): string {
  const match = /^\s*(?:require\s+)?k8s\.io\/kubernetes\s+(v\d+\.\d+\.\d+\S*)/m.exec(goMod);
  if (!match?.[1]) throw new Error('go.mod does not require k8s.io/kubernetes at a fixed version');
  return match[1];
}

export function kubernetesVersion(): string {
  return parseKubernetesVersion(readFileSync(join(k8sModuleDir, 'go.mod'), 'utf8'));
}

/** Root of everything cached outside the repository. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['IMAGESPEC_CACHE_DIR'] || join(homedir(), '.cache', 'imagespec-controller');
}

/** Compiled binaries of one release: <cache>/k8s-<version>/bin. */
export function binDir(version = kubernetesVersion(), env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), `k8s-${version}`, 'bin');
}

export function binaryPath(component: ComponentName): string {
  return join(binDir(), component);
}

export function kubectlPath(): string {
  return binaryPath('kubectl');
}

/** <repo>/.cluster and its parts. */
export const stateDir = join(repoRoot, '.cluster');
export const kubeconfigPath = join(stateDir, 'kubeconfig');
export const pkiDir = join(stateDir, 'pki');
export const pidDir = join(stateDir, 'pids');
export const logDir = join(stateDir, 'logs');
export const dataDir = join(stateDir, 'data');
