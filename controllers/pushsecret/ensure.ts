// I/O: creates or updates the push Secret of a namespace.
import type { V1Secret } from '@kubernetes/client-node';
import type { Clients } from '../runtime/kube.ts';
import type { Logger } from '../runtime/logger.ts';
import { ignoreAlreadyExists, ignoreNotFound } from '../runtime/errors.ts';
import { ANNOTATION_CONTENT_HASH } from './desired.ts';

export async function ensurePushSecret(clients: Clients, desired: V1Secret, log: Logger): Promise<void> {
  const { name, namespace } = desired.metadata as { name: string; namespace: string };
  const existing = await clients.core.readNamespacedSecret({ name, namespace }).catch(ignoreNotFound);
  if (!existing) {
    const created = await clients.core.createNamespacedSecret({ namespace, body: desired }).then(() => true, ignoreAlreadyExists);
    if (created) log.info('Created push Secret', { namespace, name });
    return;
  }
  const wanted = desired.metadata?.annotations?.[ANNOTATION_CONTENT_HASH];
  if (existing.metadata?.annotations?.[ANNOTATION_CONTENT_HASH] === wanted && existing.type === desired.type) return;
  await clients.core.replaceNamespacedSecret({
    name,
    namespace,
    body: { ...desired, metadata: { ...desired.metadata, resourceVersion: existing.metadata?.resourceVersion } },
  });
  log.info('Updated push Secret', { namespace, name });
}
