import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chartDir, NAMESPACE, RELEASE, renderNotes } from './chart.ts';

test('NOTES.txt is the notes define, so what the tests render is what helm install prints', () => {
  assert.equal(readFileSync(join(chartDir, 'templates', 'NOTES.txt'), 'utf8').trim(), '{{ include "imagespec-controller.notes" . }}');
});

test('the notes say how to check the install: Pods, Lease, logs, readiness, a first ImageSpec', async () => {
  const notes = await renderNotes({ dotenv: 'IMAGESPEC_REGISTRY_PASSWORD=notes-secret\n' });
  const selector = `app.kubernetes.io/name=imagespec-controller,app.kubernetes.io/instance=${RELEASE}`;
  assert.ok(notes.includes(`kubectl -n ${NAMESPACE} get pods -l ${selector}`), notes);
  assert.ok(notes.includes(`kubectl -n ${NAMESPACE} get lease ${RELEASE}-imagespec-controller`), notes);
  assert.ok(notes.includes(`kubectl -n ${NAMESPACE} logs -l ${selector}`), notes);
  assert.match(notes, /port-forward deploy\/isc-imagespec-controller 8080:8080/);
  assert.match(notes, /curl -s http:\/\/127\.0\.0\.1:8080\/readyz/);
  assert.match(notes, /kind: ImageSpec\n/);
  assert.match(notes, /kubectl -n default apply -f hello\.yaml\n/);
  assert.doesNotMatch(notes, /WARNING|notes-secret/);
});

test('the notes follow the values: host network probe, watched namespace, missing .env, existing Secret', async () => {
  const hostNetwork = await renderNotes({ values: { hostNetwork: true, watchNamespaces: ['team-a'] } });
  assert.match(hostNetwork, /exec deploy\/isc-imagespec-controller -- node controllers\/probe\.ts \/readyz/);
  assert.doesNotMatch(hostNetwork, /port-forward/);
  assert.match(hostNetwork, /Watching: team-a\./);
  assert.match(hostNetwork, /kubectl -n team-a apply -f hello\.yaml/);
  assert.match(hostNetwork, /WARNING: no \.env was given/);
  const existing = await renderNotes({ values: { existingSecret: 'imagespec-env' } });
  assert.doesNotMatch(existing, /WARNING/);
  assert.match(existing, /rollout restart deploy\/isc-imagespec-controller/);
});
