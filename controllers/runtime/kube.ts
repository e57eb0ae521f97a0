// Thin I/O helpers around @kubernetes/client-node: clients, merge patches, status writes.
import {
  AuthenticationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../api/types.ts';
import { jsonEqual } from './json-equal.ts';

export interface Clients {
  core: CoreV1Api;
  custom: CustomObjectsApi;
  authentication: AuthenticationV1Api;
}

export function makeClients(kubeConfig: KubeConfig): Clients {
  return {
    core: kubeConfig.makeApiClient(CoreV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
    authentication: kubeConfig.makeApiClient(AuthenticationV1Api),
  };
}

/** client-node patches default to JSON patch; every patch here is a merge patch. */
export const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** A GET that returns only the object's metadata (PartialObjectMetadata): a Secret's data never arrives. */
export const metadataOnly = () => setHeaderOptions('Accept', 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1');

/** Plain JSON form: Dates become strings, undefined fields disappear. */
export function plain<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export function sameStatus(current: unknown, desired: unknown): boolean {
  return jsonEqual(current ?? {}, desired ?? {});
}

/** A merge patch body turning `current` into `desired`: removed keys become null. */
export function statusPatchBody(current: object | undefined, desired: object): Record<string, unknown> {
  const next = plain(desired) as Record<string, unknown>;
  const body: Record<string, unknown> = { ...next };
  for (const key of Object.keys(plain(current ?? {}))) {
    if (!(key in next)) body[key] = null;
  }
  return body;
}

/**
 * Writes a custom object's status; resourceVersion makes it conditional, so a decision taken
 * on a stale cache fails with a conflict and is retried on fresh data instead of winning.
 */
export async function patchCustomStatus(
  clients: Clients,
  plural: string,
  obj: { metadata: { name?: string; namespace?: string; resourceVersion?: string }; status?: object },
  desired: object,
): Promise<void> {
  await clients.custom.patchNamespacedCustomObjectStatus(
    {
      group: GROUP,
      version: VERSION,
      plural,
      namespace: obj.metadata.namespace!,
      name: obj.metadata.name!,
      body: { metadata: { resourceVersion: obj.metadata.resourceVersion }, status: statusPatchBody(obj.status, desired) },
    },
    mergePatch(),
  );
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export const keyOf = (namespace: string | undefined, name: string | undefined) => `${namespace ?? ''}/${name ?? ''}`;
