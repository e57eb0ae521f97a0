// Whether the registry already has a target image: a revision is content-addressed (api/revision.ts),
// so an image at its tag is that revision's build, pushed earlier by this controller (its job since
// pruned, its ImageSpec deleted and recreated) or by another cluster sharing the registry.
//
// Asked from the controller with the push credential, which only the controller holds.
import type { RegistryConfig } from '../config/types.ts';
import { configuredCredentials, RegistryClient, type RegistryTransport } from './client.ts';
import { parseTargetImage } from './target-image.ts';

export interface ImageLookup {
  /** The digest of the image at `image` (host/path:tag), or undefined when the registry has none. */
  digestOf(image: string, signal?: AbortSignal): Promise<string | undefined>;
  close(): void;
}

/** How long a lookup may take before the build goes ahead without its answer. */
export const LOOKUP_TIMEOUT_MS = 5_000;

/**
 * Looks up images in the configured registry. One client for the process: it keeps the registry's
 * scheme, authentication and tokens between lookups. An image elsewhere is never looked up (the
 * credential is the configured registry's alone).
 */
export function registryLookup(registry: RegistryConfig, transport: RegistryTransport): ImageLookup {
  const credentials = configuredCredentials(registry);
  const client = new RegistryClient({
    registry: registry.endpoint,
    ...transport,
    timeoutMs: LOOKUP_TIMEOUT_MS,
    ...(credentials ? { credentials } : {}),
  });
  return {
    async digestOf(image, signal) {
      const target = parseTargetImage(image);
      if (target.registry !== registry.endpoint) return undefined;
      return client.manifestDigest(target.repository, target.tag, signal ? { signal } : {});
    },
    close: () => client.close(),
  };
}
