// The floor under "ready with n ImageSpecs": a controller is ready once its caches hold every
// ImageSpec, ImageSpecJob and build Pod, and no controller can have them sooner than the API server
// hands them over. This times the same lists the controller makes at start (the same client calls,
// build Pods kept as the server's JSON, in pages of 500 through the same paging, the three collections at once) from the benchmark's own,
// already running client, keeping the objects as they arrive.
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { BUILD_POD_SELECTOR, GROUP, IMAGESPECJOB_PLURAL, IMAGESPEC_PLURAL, VERSION } from '../api/types.ts';
import { listInPages, type Page } from '../controllers/runtime/paged-list.ts';
import { untypedJson } from '../controllers/runtime/untyped-json.ts';
import type { Kube } from '../e2e/integration/harness.ts';

export interface ListFloor {
  ms: number;
  /** Objects listed: ImageSpecs + ImageSpecJobs + build Pods. */
  objects: number;
}

export async function listFloor(kube: Kube, namespace: string): Promise<ListFloor> {
  const custom = (plural: string) => (page: Page) =>
    kube.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural, ...page }) as Promise<KubernetesListObject<KubernetesObject>>;
  const count = async (fetchPage: (page: Page) => Promise<KubernetesListObject<KubernetesObject>>) => (await listInPages(fetchPage, (obj) => obj)).items.length;
  const started = performance.now();
  const counts = await Promise.all([
    count(custom(IMAGESPEC_PLURAL)),
    count(custom(IMAGESPECJOB_PLURAL)),
    count((page) => untypedJson((options) => kube.core.listNamespacedPod({ namespace, labelSelector: BUILD_POD_SELECTOR, ...page }, options))),
  ]);
  return { ms: performance.now() - started, objects: counts.reduce((sum, n) => sum + n, 0) };
}
