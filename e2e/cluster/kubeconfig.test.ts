import assert from 'node:assert/strict';
import { test } from 'node:test';
import { load } from 'js-yaml';
import { renderKubeconfig } from './kubeconfig.ts';

test('the kubeconfig embeds the certificates and selects its only context', () => {
  const text = renderKubeconfig({ server: 'https://127.0.0.1:6443', user: 'admin', caPem: 'CA', certPem: 'CERT', keyPem: 'KEY' });
  const config = load(text) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
    contexts: { name: string }[];
    'current-context': string;
  };
  assert.equal(config.clusters[0]?.cluster.server, 'https://127.0.0.1:6443');
  assert.equal(Buffer.from(config.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString(), 'CA');
  assert.equal(Buffer.from(config.users[0]?.user['client-key-data'] ?? '', 'base64').toString(), 'KEY');
  assert.equal(config['current-context'], config.contexts[0]?.name);
});
