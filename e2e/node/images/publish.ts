// Pushes a cached OCI layout to the base registry under both its tags, unless the registry
// already serves that exact manifest (the registry's data lives in .cluster and may be wiped).
import { mediaTypes } from './oci.ts';
import { run } from '../run.ts';
import type { BuiltImage, ImageName, Log } from './build.ts';
import { taggedRefs } from './recipes.ts';

/** The manifest digest a registry without auth serves for `ref` (host/repo:tag), if any. */
export async function registryDigest(ref: string): Promise<string | undefined> {
  const match = /^([^/]+)\/(.+):([^:/]+)$/.exec(ref);
  if (!match) throw new Error(`not a host/repository:tag reference: ${ref}`);
  const [, host, repository, tag] = match;
  const response = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { Accept: mediaTypes.manifest },
  });
  return response.ok ? (response.headers.get('docker-content-digest') ?? undefined) : undefined;
}

export interface PublishedImage {
  /** `<registry>/<repository>:<tag>` */
  plain: string;
  /** `<registry>/<repository>:<tag>-<recipe hash>`: what the node's config and pods name. */
  pinned: string;
  digest: string;
}

export async function publishImage(image: Pick<BuiltImage, 'hash' | 'layoutDir' | 'manifest'> & { recipe: ImageName }, log: Log): Promise<PublishedImage> {
  const refs = taggedRefs(image.recipe, image.hash);
  const digest = image.manifest.digest;
  for (const ref of [refs.pinned, refs.plain]) {
    if ((await registryDigest(ref)) === digest) continue;
    // --preserve-digests: the registry must serve the very manifest the cache holds.
    await run('skopeo', ['copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false', `oci:${image.layoutDir}:${image.recipe.tag}-${image.hash}`, `docker://${ref}`]);
    log(`Pushed ${ref}`);
  }
  return { ...refs, digest };
}
