// Kubeconfig files with the certificates embedded, so a copied file still works.
import { readFileSync, writeFileSync } from 'node:fs';
import { dump } from 'js-yaml';

export const clusterName = 'imagespec-local';

export interface KubeconfigInput {
  server: string;
  user: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

export function renderKubeconfig(input: KubeconfigInput): string {
  const b64 = (pem: string) => Buffer.from(pem).toString('base64');
  const context = `${input.user}@${clusterName}`;
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server: input.server, 'certificate-authority-data': b64(input.caPem) } }],
    users: [{ name: input.user, user: { 'client-certificate-data': b64(input.certPem), 'client-key-data': b64(input.keyPem) } }],
    contexts: [{ name: context, context: { cluster: clusterName, user: input.user } }],
    'current-context': context,
  });
}

/** Writes a kubeconfig for the identity in <cert>/<key> (readable by the owner only). */
export function writeKubeconfig(path: string, opts: { server: string; user: string; ca: string; cert: string; key: string }): void {
  const text = renderKubeconfig({
    server: opts.server,
    user: opts.user,
    caPem: readFileSync(opts.ca, 'utf8'),
    certPem: readFileSync(opts.cert, 'utf8'),
    keyPem: readFileSync(opts.key, 'utf8'),
  });
  writeFileSync(path, text, { mode: 0o600 });
}
