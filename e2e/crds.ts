// Installs (creates or replaces) every CRD in crds/ and waits until each is Established.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiextensionsV1Api, loadAllYaml, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { repoRoot } from './cluster/paths.ts';

export async function installCrds(kubeConfig: KubeConfig, timeoutMs = 30_000): Promise<string[]> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const dir = join(repoRoot, 'crds');
  const names: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    // loadAllYaml maps x-kubernetes-* keys to the typed model's names; a plain YAML object would
    // lose them in the typed client's serializer (and with them the CEL rules).
    for (const doc of loadAllYaml(readFileSync(join(dir, file), 'utf8'))) {
      if (!doc) continue;
      const crd = doc as V1CustomResourceDefinition;
      const name = crd.metadata!.name!;
      names.push(name);
      try {
        const existing = await api.readCustomResourceDefinition({ name });
        crd.metadata!.resourceVersion = existing.metadata?.resourceVersion;
        await api.replaceCustomResourceDefinition({ name, body: crd });
      } catch (error) {
        if ((error as { code?: number }).code !== 404) throw error;
        await api.createCustomResourceDefinition({ body: crd });
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await api.readCustomResourceDefinition({ name });
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} was not Established within ${timeoutMs} ms`);
      await sleep(100);
    }
  }
  return names;
}
