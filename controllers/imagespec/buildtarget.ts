// What the admin's configuration alone decides about a build: where its image is pushed. The ImageSpec controller copies it into each ImageSpecJob it creates;
// the ImageSpecJob controller derives it again and builds only when the job's copy is the same.
import { targetImage } from '../../api/names.ts';
import type { ImageSpecJobSpec } from '../../api/types.ts';
import type { RegistryConfig } from '../../config/types.ts';

export type BuildTarget = Pick<ImageSpecJobSpec, 'targetImage' | 'repoPrefix'>;

export interface BuildOrigin {
  namespace: string;
  imageSpecName: string;
  revision: string;
}

export function buildTarget(registry: RegistryConfig, origin: BuildOrigin): BuildTarget {
  return {
    targetImage: targetImage(registry, origin.namespace, origin.imageSpecName, origin.revision),
    ...(registry.pushRepo ? {} : { repoPrefix: registry.repoPrefix }),
  };
}
