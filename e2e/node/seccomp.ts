// The build step's seccomp profile (seccomp/imagespec-build.json, shipped for admins to install
// on their build nodes) installed where the local node's kubelet looks for Localhost profiles:
// <kubelet root>/seccomp/. The local node's builds run under it (controller-env.ts).
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../cluster/paths.ts';
import { kubeletDir } from './paths.ts';

export const buildSeccompProfileName = 'imagespec-build.json';
export const buildSeccompProfileSource = join(repoRoot, 'seccomp', buildSeccompProfileName);

export function installBuildSeccompProfile(): void {
  const dir = join(kubeletDir, 'seccomp');
  mkdirSync(dir, { recursive: true });
  copyFileSync(buildSeccompProfileSource, join(dir, buildSeccompProfileName));
}
