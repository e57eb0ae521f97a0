// The suites' and the local runner's calls on ImageSpecs and ImageSpecJobs, each naming the group,
// version and plural once. (The controller has its own, narrower set in
// controllers/runtime/custom-objects.ts: the chart's RBAC is derived from it.)
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, IMAGESPEC_PLURAL, IMAGESPECJOB_PLURAL, VERSION, type ImageSpec, type ImageSpecJob } from '../api/types.ts';
import { mergePatch } from '../controllers/runtime/kube.ts';

export interface CustomObjectClient<T> {
  create(namespace: string, body: object): Promise<T>;
  get(namespace: string, name: string): Promise<T>;
  list(namespace: string): Promise<T[]>;
  /** A merge patch. */
  patch(namespace: string, name: string, body: object): Promise<T>;
  delete(namespace: string, name: string): Promise<unknown>;
}

function customObjectClient<T>(custom: CustomObjectsApi, plural: string): CustomObjectClient<T> {
  const resource = { group: GROUP, version: VERSION, plural };
  return {
    create: async (namespace, body) => (await custom.createNamespacedCustomObject({ ...resource, namespace, body })) as T,
    get: async (namespace, name) => (await custom.getNamespacedCustomObject({ ...resource, namespace, name })) as T,
    list: async (namespace) => ((await custom.listNamespacedCustomObject({ ...resource, namespace })) as { items: T[] }).items,
    patch: async (namespace, name, body) => (await custom.patchNamespacedCustomObject({ ...resource, namespace, name, body }, mergePatch())) as T,
    delete: (namespace, name) => custom.deleteNamespacedCustomObject({ ...resource, namespace, name }),
  };
}

export const imageSpecs = (custom: CustomObjectsApi) => customObjectClient<ImageSpec>(custom, IMAGESPEC_PLURAL);
export const imageSpecJobs = (custom: CustomObjectsApi) => customObjectClient<ImageSpecJob>(custom, IMAGESPECJOB_PLURAL);
