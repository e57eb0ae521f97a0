// Namespaces of the suites that run against the local cluster: each test works in namespaces of
// its own and deletes them afterwards.
import type { CoreV1Api } from '@kubernetes/client-node';

let created = 0;

/** `<prefix>-<pid>-<n>`: unique across the runs sharing the cluster and the tests of one run. */
export function uniqueNamespaceName(prefix: string): string {
  created += 1;
  return `${prefix}-${process.pid}-${created}`.slice(0, 63);
}

/** Creates the namespace `name`, labelled as a test's, and returns the name. */
export async function createNamespace(kube: { core: CoreV1Api }, name: string): Promise<string> {
  await kube.core.createNamespace({ body: { metadata: { name, labels: { 'imagespec.dev/test': 'true' } } } });
  return name;
}

/** Deletes the namespaces, skipping names not set (a setup that failed early) and any already gone. */
export async function deleteNamespaces(kube: { core: CoreV1Api }, names: readonly (string | undefined)[]): Promise<void> {
  for (const name of names) if (name) await kube.core.deleteNamespace({ name }).catch(() => undefined);
}
