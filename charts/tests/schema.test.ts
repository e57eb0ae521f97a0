// values.schema.json refuses bad values at `helm template`/`helm install`, with a message naming them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { render, template } from './chart.ts';

const refused: [string, Record<string, unknown>, RegExp][] = [
  ['a misspelt value', { replicas: 3 }, /replicas/],
  ['zero replicas', { replicaCount: 0 }, /replicaCount/],
  ['replicas as words', { replicaCount: 'two' }, /replicaCount/],
  ['a namespace that is no DNS label', { watchNamespaces: ['Team_A'] }, /watchNamespaces/],
  ['a namespace given as a string', { watchNamespaces: 'team-a' }, /watchNamespaces/],
  ['an unknown pull policy', { image: { repository: 'x', pullPolicy: 'Sometimes' } }, /pullPolicy/],
  ['a tag inside the repository', { image: { repository: 'example.com/controller:1.0' } }, /repository/],
  ['a Secret name with spaces', { existingSecret: 'my secret' }, /existingSecret/],
  ['hostNetwork as a string', { hostNetwork: 'yes' }, /hostNetwork/],
  ['a port out of range', { httpPort: 70000 }, /httpPort/],
  ['a password as a plain env value', { extraEnv: [{ name: 'IMAGESPEC_REGISTRY_PASSWORD', value: 'hunter2' }] }, /extraEnv/],
  ['an env entry without a name', { extraEnv: [{ value: 'x' }] }, /extraEnv/],
  ['a bad memory quantity', { resources: { limits: { memory: 'lots' } } }, /memory/],
];

for (const [what, values, names] of refused) {
  test(`refused: ${what}`, async () => {
    const result = await template({ values });
    assert.notEqual(result.code, 0, `${JSON.stringify(values)} was accepted`);
    assert.match(result.stderr, /values don't meet the specifications of the schema/);
    assert.match(result.stderr, names);
  });
}

test('accepted: the values an admin typically sets', async () => {
  await render({
    values: {
      replicaCount: 3,
      image: { repository: '127.0.0.1:5001/imagespec/controller', tag: '0.1.0', pullPolicy: 'Always' },
      watchNamespaces: ['team-a'],
      existingSecret: 'imagespec-env',
      hostNetwork: true,
      extraEnv: [
        { name: 'KUBERNETES_SERVICE_PORT', value: '6443' },
        { name: 'OTHER_PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      ],
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: 2, memory: '1Gi' } },
      podDisruptionBudget: { enabled: true, minAvailable: '50%' },
    },
  });
});
