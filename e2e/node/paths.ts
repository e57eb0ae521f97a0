// Where the local node keeps things: its daemons' state under <repo>/.cluster/node (git-ignored,
// never the system's /var/lib or /run paths, so nothing clashes with a containerd or registry the
// machine may run), and the locally built images in the cache outside the repository.
import { join } from 'node:path';
import { cacheDir, logDir, pidDir, pkiDir, stateDir } from '../cluster/paths.ts';

export { logDir, pidDir, pkiDir, stateDir };

export const nodeName = 'imagespec-node';
export const nodeDir = join(stateDir, 'node');

export const containerdDir = join(nodeDir, 'containerd');
export const containerdConfigPath = join(containerdDir, 'config.toml');
export const containerdSocket = join(containerdDir, 'containerd.sock');
/** hosts.toml per registry: how containerd reaches 127.0.0.1:5000/5001 over plain HTTP. */
export const containerdHostsDir = join(containerdDir, 'certs.d');

export const cniConfDir = join(nodeDir, 'cni', 'net.d');
/** Debian's containernetworking-plugins install here. */
export const cniBinDir = '/usr/lib/cni';

export const kubeletDir = join(nodeDir, 'kubelet');
export const kubeletConfigPath = join(nodeDir, 'kubelet-config.yaml');
export const kubeletKubeconfigPath = join(nodeDir, 'kubelet.kubeconfig');

export const registriesDir = join(stateDir, 'registries');

/** Admin settings (.env format) pointing the controller at the node's registries and images. */
export const controllerEnvPath = join(stateDir, 'controller.env');
/** buildah's storage kept between builds on this node (IMAGESPEC_BUILD_CACHE); `cluster:down --purge` removes it. */
export const buildCacheDir = join(stateDir, 'build-cache');

/** Locally built images: OCI layouts keyed by recipe hash, and debootstrap's package cache. */
export function imageCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'node-images');
}
