// The floor under "ready with n ImageSpecs": a controller is ready once its caches hold every
// ImageSpec, ImageSpecJob and build Pod, and no controller can have them sooner than the API server
// hands them over. This times the same lists the controller makes at start (the same client calls,
// pages of 500, the three collections at once) from the benchmark's own, already running client.
import { BUILD_POD_SELECTOR, GROUP, IMAGESPECJOB_PLURAL, IMAGESPEC_PLURAL, VERSION } from '../api/types.ts';
import { PAGE_SIZE } from '../controllers/runtime/paged-list.ts';
import type { Kube } from '../e2e/integration/harness.ts';

interface ListPage {
  items: unknown[];
  metadata?: { _continue?: string };
}

async function countInPages(fetchPage: (page: { limit: number; _continue?: string }) => Promise<ListPage>): Promise<number> {
  let count = 0;
  let next: string | undefined;
  do {
    const page = await fetchPage({ limit: PAGE_SIZE, ...(next ? { _continue: next } : {}) });
    count += page.items.length;
    next = page.metadata?._continue || undefined;
  } while (next);
  return count;
}

export interface ListFloor {
  ms: number;
  /** Objects listed: ImageSpecs + ImageSpecJobs + build Pods. */
  objects: number;
}

export async function listFloor(kube: Kube, namespace: string): Promise<ListFloor> {
  const custom = (plural: string) => (page: { limit: number; _continue?: string }) =>
    kube.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural, ...page }) as Promise<ListPage>;
  const started = performance.now();
  const counts = await Promise.all([
    countInPages(custom(IMAGESPEC_PLURAL)),
    countInPages(custom(IMAGESPECJOB_PLURAL)),
    countInPages((page) => kube.core.listNamespacedPod({ namespace, labelSelector: BUILD_POD_SELECTOR, ...page })),
  ]);
  return { ms: performance.now() - started, objects: counts.reduce((sum, count) => sum + count, 0) };
}
