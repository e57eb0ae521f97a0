// The push Secret the controller keeps in each namespace with builds: a dockerconfigjson
// whose entry carries the `auth` field (containers/image ignores entries without it).
import { createHash } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import { LABEL_MANAGED_BY, MANAGED_BY } from '../../api/types.ts';
import type { RegistryConfig } from '../../config/types.ts';

export const ANNOTATION_CONTENT_HASH = 'imagespec.dev/content-hash';

export function dockerConfigJson(registry: RegistryConfig): string {
  const auths: Record<string, { auth: string }> = {};
  if (registry.username) {
    const auth = Buffer.from(`${registry.username}:${registry.password ?? ''}`).toString('base64');
    auths[registry.endpoint] = { auth };
  }
  return JSON.stringify({ auths });
}

/** Lets the controller tell whether the Secret is current without decoding it. */
export function contentHash(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

export function desiredPushSecret(namespace: string, name: string, registry: RegistryConfig): V1Secret {
  const content = dockerConfigJson(registry);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      labels: { [LABEL_MANAGED_BY]: MANAGED_BY },
      annotations: { [ANNOTATION_CONTENT_HASH]: contentHash(content) },
    },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(content).toString('base64') },
  };
}
