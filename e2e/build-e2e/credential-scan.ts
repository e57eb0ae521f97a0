// Where the registry credential must never be: every object a tenant of the scanned namespaces can
// read (Pod specs and statuses with their termination messages, ConfigMaps, Events, ImageSpecs and
// ImageSpecJobs with their statuses) and every log the local cluster keeps (the API server, the
// kubelet, containerd, the controllers the tests ran, the builds' logs). Secrets are not scanned:
// the admin's .env Secret in the controller's namespace holds it by design.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EventsV1Api } from '@kubernetes/client-node';
import { GROUP, IMAGESPECJOB_PLURAL, IMAGESPEC_PLURAL, VERSION } from '../../api/types.ts';
import { logDir } from '../cluster/paths.ts';
import type { Kube } from '../integration/harness.ts';
import type { RegistryCredentials } from '../node/registry.ts';
import { credentialForms } from '../credential-forms.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

/** Names what holds the credential; empty when nothing does. */
export async function credentialFindings(kube: Kube, credentials: RegistryCredentials, namespaces: readonly string[]): Promise<string[]> {
  const forms = credentialForms(credentials);
  const findings: string[] = [];
  const check = (what: string, text: string) => {
    if (forms.some((form) => text.includes(form))) findings.push(what);
  };
  const events = kube.kubeConfig.makeApiClient(EventsV1Api);
  for (const namespace of namespaces) {
    check(`Pods in ${namespace}`, JSON.stringify(await kube.core.listNamespacedPod({ namespace })));
    check(`ConfigMaps in ${namespace}`, JSON.stringify(await kube.core.listNamespacedConfigMap({ namespace })));
    check(`core Events in ${namespace}`, JSON.stringify(await kube.core.listNamespacedEvent({ namespace })));
    check(`Events in ${namespace}`, JSON.stringify(await events.listNamespacedEvent({ namespace })));
    for (const plural of [IMAGESPEC_PLURAL, IMAGESPECJOB_PLURAL]) {
      check(`${plural} in ${namespace}`, JSON.stringify(await kube.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural })));
    }
  }
  for (const file of filesUnder(logDir)) {
    if (statSync(file).size > 0) check(file, readFileSync(file, 'latin1'));
  }
  return findings;
}
