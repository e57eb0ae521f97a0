// What the chaos suites share: the controller's settings when the test plays the kubelet, the
// namespace's objects as convergence.ts reads them, and waiting until a check finds no problem.
import assert from 'node:assert/strict';
import { GROUP, IMAGESPEC_PLURAL, VERSION } from '../../api/types.ts';
import { listJobs, listPods, type Kube } from '../integration/harness.ts';
import { waitFor } from '../wait.ts';
import type { NamespaceObjects } from './convergence.ts';

/** A registry the builds never reach and a node selector no node has: the test plays the kubelet. */
export function chaosControllerEnv(repository: string, namespace: string, logLevel = 'info'): Record<string, string> {
  return {
    IMAGESPEC_REGISTRY_ENDPOINT: '127.0.0.1:5000',
    IMAGESPEC_REPO_PREFIX: `127.0.0.1:5000/${repository}`,
    IMAGESPEC_REGISTRY_INSECURE: 'true',
    IMAGESPEC_BUILD_NODE_SELECTOR: 'imagespec.dev/integration=no-such-node',
    IMAGESPEC_LOG_LEVEL: logLevel,
    IMAGESPEC_NAMESPACES: namespace,
  };
}

export const chaosBase = { baseImage: '127.0.0.1:5001/base/debian:bookworm' };

export async function namespaceObjects(kube: Kube, namespace: string): Promise<NamespaceObjects> {
  const [imageSpecs, jobs, pods] = await Promise.all([
    kube.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: IMAGESPEC_PLURAL }) as Promise<{ items: NamespaceObjects['imageSpecs'] }>,
    listJobs(kube, namespace),
    listPods(kube, namespace),
  ]);
  return { imageSpecs: imageSpecs.items, jobs, pods };
}

/** Waits until `problems` finds none; resolves with the milliseconds it took, or fails listing the last ones. */
export async function untilNoProblems(what: string, problems: () => Promise<string[]>, timeoutMs: number, everyMs: number): Promise<number> {
  const started = Date.now();
  let last: string[] = [];
  try {
    await waitFor(what, async () => {
      last = await problems();
      return last.length === 0;
    }, timeoutMs, everyMs);
  } catch {
    assert.fail(`${what}: not reached after ${Math.round(timeoutMs / 1000)} s:\n  ${last.slice(0, 20).join('\n  ')}`);
  }
  return Date.now() - started;
}
