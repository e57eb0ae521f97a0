import assert from 'node:assert/strict';
import { test } from 'node:test';
import { repoRoot, scanApiCalls, type ApiCall } from './api-calls.ts';
import { grantedBy, permissionKey, permissionsOf } from './rules.ts';

// In-memory sources beside the real ones, so '@kubernetes/client-node' resolves as in the code.
const dir = 'charts/rbac/fixture';
const kube = `
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
export const WIDGETS = 'widgets';
export interface Clients { core: CoreV1Api; custom: CustomObjectsApi }
export async function patchStatus(clients: Clients, plural: string): Promise<void> {
  await clients.custom.patchNamespacedCustomObjectStatus({ group: 'example.dev', version: 'v1', namespace: 'n', name: 'x', plural, body: {} });
}
`;
const manager = `
import type { CoordinationV1Api } from '@kubernetes/client-node';
import { patchStatus, WIDGETS, type Clients } from './kube.ts';
type LeaseApi = Pick<CoordinationV1Api, 'readNamespacedLease'>;
export async function run(clients: Clients, leases: LeaseApi): Promise<void> {
  const listCustom = (plural: string) => () => clients.custom.listClusterCustomObject({ group: 'example.dev', version: 'v1', plural });
  await listCustom(WIDGETS)();
  await listCustom('gadgets')();
  await patchStatus(clients, 'gadgets');
  const core = clients.core;
  await core.listPodForAllNamespaces({});
  await leases.readNamespacedLease({ name: 'l', namespace: 'n' });
}
`;
const worker = `
import type { Clients } from './kube.ts';
export async function work(clients: Clients): Promise<void> {
  await clients.core.listNamespacedService({ namespace: 'n' });
  const list = { listNamespacedPod: () => 'not a client' };
  list.listNamespacedPod();
}
`;

const scan = (sources: Record<string, string>) => scanApiCalls({ root: repoRoot, sources, informerFiles: [`${dir}/manager.ts`] });
// One scan for the tests that read its result: a scan builds a whole TypeScript program.
let scanned: ApiCall[] | undefined;
const fixtureCalls = () => (scanned ??= scan({ [`${dir}/kube.ts`]: kube, [`${dir}/manager.ts`]: manager, [`${dir}/worker.ts`]: worker }));
const brief = (calls: ApiCall[]) =>
  calls.map((c) => [c.file.slice(dir.length + 1), c.api, c.method, c.groups?.join(',') ?? '', c.plurals?.join(',') ?? '', c.informer]);

test('finds client-node calls by type, whatever holds the client, and resolves custom-object plurals through callers', () => {
  const calls = fixtureCalls();
  assert.deepEqual(brief(calls), [
    ['kube.ts', 'CustomObjectsApi', 'patchNamespacedCustomObjectStatus', 'example.dev', 'gadgets', false],
    ['manager.ts', 'CustomObjectsApi', 'listClusterCustomObject', 'example.dev', 'gadgets,widgets', true],
    ['manager.ts', 'CoreV1Api', 'listPodForAllNamespaces', '', '', true],
    ['manager.ts', 'CoordinationV1Api', 'readNamespacedLease', '', '', false],
    // Outside the informer file a list is only a list; a look-alike method of a plain object is no call.
    ['worker.ts', 'CoreV1Api', 'listNamespacedService', '', '', false],
  ]);
  assert.ok(calls.every((c) => c.line > 0));
});

test('a call the rule table does not know fails, naming it and where it is', () => {
  assert.throws(() => permissionsOf(fixtureCalls()), (error: Error) => {
    assert.match(error.message, /CoreV1Api\.listNamespacedService \(charts\/rbac\/fixture\/worker\.ts:4\)/);
    assert.doesNotMatch(error.message, /listPodForAllNamespaces/);
    return true;
  });
});

test('a plural that cannot be resolved to constants fails with its place', () => {
  const dynamic = `
import type { CustomObjectsApi } from '@kubernetes/client-node';
export async function run(clients: { custom: CustomObjectsApi }): Promise<void> {
  await clients.custom.listClusterCustomObject({ group: 'example.dev', version: 'v1', plural: process.argv[2]! });
}
`;
  assert.throws(() => scan({ [`${dir}/dynamic.ts`]: dynamic }), /fixture\/dynamic\.ts:4: cannot tell the value of `process\.argv\[2\]!`/);
});

test('rights: informers add watch, custom-object status is a subresource, Leases go to the release namespace', () => {
  const known = fixtureCalls().filter((c) => !c.file.endsWith('worker.ts'));
  assert.deepEqual(permissionsOf(known).map(permissionKey), [
    'leaderElection coordination.k8s.io leases get',
    'watched "" pods list',
    'watched "" pods watch',
    'watched example.dev gadgets list',
    'watched example.dev gadgets watch',
    'watched example.dev gadgets/status patch',
    'watched example.dev widgets list',
    'watched example.dev widgets watch',
  ]);
});

test('granted rights expand every group x resource x verb, and a wildcard is refused', () => {
  const granted = grantedBy([{ apiGroups: ['', 'apps'], resources: ['pods'], verbs: ['get', 'list'] }], 'watched');
  assert.deepEqual(granted.map(permissionKey), ['watched "" pods get', 'watched "" pods list', 'watched apps pods get', 'watched apps pods list']);
  assert.throws(() => grantedBy([{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }], 'watched'), /wildcard/);
});
