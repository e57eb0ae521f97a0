// The controller's calls on its own kinds, each naming the group, version and plural once.
// Only the calls the controller makes live here: charts/rbac/api-calls.ts derives the chart's
// RBAC rules from every client-node call under controllers/.
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, IMAGESPEC_PLURAL, IMAGESPECJOB_PLURAL, VERSION, type ImageSpec, type ImageSpecJob } from '../../api/types.ts';
import { mergePatch } from './kube.ts';

export interface ImageSpecJobClient {
  get(namespace: string, name: string): Promise<ImageSpecJob>;
  create(namespace: string, job: ImageSpecJob): Promise<unknown>;
  /** A merge patch of the job (its metadata: the spec is immutable, the status has its own writer). */
  patch(namespace: string, name: string, body: object): Promise<unknown>;
  /** Deletes the job; its Pod follows by garbage collection, in the background. */
  delete(namespace: string, name: string): Promise<unknown>;
}

export interface ImageSpecClient {
  get(namespace: string, name: string): Promise<ImageSpec>;
}

export function imageSpecJobClient(custom: CustomObjectsApi): ImageSpecJobClient {
  return {
    get: async (namespace, name) =>
      (await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: IMAGESPECJOB_PLURAL, name })) as ImageSpecJob,
    create: (namespace, job) =>
      custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: IMAGESPECJOB_PLURAL, body: job }),
    patch: (namespace, name, body) =>
      custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: IMAGESPECJOB_PLURAL, name, body }, mergePatch()),
    delete: (namespace, name) =>
      custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: IMAGESPECJOB_PLURAL, name, propagationPolicy: 'Background' }),
  };
}

export function imageSpecClient(custom: CustomObjectsApi): ImageSpecClient {
  return {
    get: async (namespace, name) =>
      (await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: IMAGESPEC_PLURAL, name })) as ImageSpec,
  };
}
