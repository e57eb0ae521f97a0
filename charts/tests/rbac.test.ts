// The chart's RBAC against the API calls the code makes, in both directions: a call without its
// right fails here before it fails in a cluster, and a right no call needs is reported as excess.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { repoRoot, scanApiCalls } from '../rbac/api-calls.ts';
import { grantedBy, permissionKey, permissionsOf, type Permission, type PolicyRule, type Scope } from '../rbac/rules.ts';
import { NAMESPACE, only, RELEASE, render, type K8sObject } from './chart.ts';

let needed: Permission[];

before(() => {
  needed = permissionsOf(scanApiCalls({ root: repoRoot }));
});

const keys = (permissions: readonly Permission[]) => permissions.map(permissionKey).sort();

function assertSameRights(granted: Permission[], scope: Scope, where: string): void {
  const want = new Set(keys(needed.filter((p) => p.scope === scope)));
  const have = new Set(keys(granted));
  const missing = [...want].filter((k) => !have.has(k));
  const excess = [...have].filter((k) => !want.has(k));
  assert.deepEqual(
    { missing, excess },
    { missing: [], excess: [] },
    `${where}: "missing" are rights the code's calls need and the chart lacks (templates/_helpers.tpl); ` +
      '"excess" are rights no call needs (remove them, or add the call to charts/rbac/rules.ts)',
  );
}

const rulesOf = (role: K8sObject) => role['rules'] as PolicyRule[];

function assertBoundToServiceAccount(binding: K8sObject, role: K8sObject, deployment: K8sObject): void {
  const roleRef = binding['roleRef'] as { kind: string; name: string; apiGroup: string };
  assert.deepEqual(roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: role.kind, name: role.metadata.name });
  const podSpec = (deployment['spec'] as { template: { spec: { serviceAccountName: string } } }).template.spec;
  assert.deepEqual(binding['subjects'], [{ kind: 'ServiceAccount', name: podSpec.serviceAccountName, namespace: NAMESPACE }]);
}

function envOf(deployment: K8sObject): Map<string, string | undefined> {
  const [container] = (deployment['spec'] as { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } }).template.spec
    .containers;
  return new Map(container!.env.map((e) => [e.name, e.value]));
}

function assertLeaderElectionRole(objects: K8sObject[]): void {
  const deployment = only(objects, 'Deployment');
  const roles = objects.filter((o) => o.kind === 'Role' && o.metadata.namespace === NAMESPACE);
  assert.equal(roles.length, 1, 'one Role in the release namespace: the Lease');
  const role = roles[0]!;
  assertSameRights(grantedBy(rulesOf(role), 'leaderElection'), 'leaderElection', `Role ${role.metadata.name}`);
  assertBoundToServiceAccount(only(objects, 'RoleBinding', role.metadata.name), role, deployment);
  const env = envOf(deployment);
  assert.equal(env.get('IMAGESPEC_LEADER_ELECT'), 'true');
  assert.equal(env.get('IMAGESPEC_LEADER_ELECTION_NAMESPACE'), NAMESPACE);
  // Reading and renewing are limited to the release's own Lease; creating cannot be.
  for (const rule of rulesOf(role)) {
    if (rule.verbs.includes('create')) assert.equal(rule.resourceNames, undefined);
    else assert.deepEqual(rule.resourceNames, [env.get('IMAGESPEC_LEADER_ELECTION_ID')]);
  }
}

test('the code\'s calls are known and need rights in every scope', () => {
  assert.ok(needed.some((p) => p.scope === 'watched' && p.resource === 'pods' && p.verb === 'create'), keys(needed).join('\n'));
  assert.ok(needed.some((p) => p.scope === 'watched' && p.verb === 'watch'), 'informers watch');
});

/** The cluster-scoped rights, in every mode: TokenReviews for the upload endpoint, Nodes read to end builds on a lost node. */
function assertClusterScopedRole(objects: K8sObject[]): void {
  const name = objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name.endsWith('-cluster'))?.metadata.name ?? '(none)';
  const role = only(objects, 'ClusterRole', name);
  assertSameRights(grantedBy(rulesOf(role), 'cluster'), 'cluster', `ClusterRole ${name}`);
  assertBoundToServiceAccount(only(objects, 'ClusterRoleBinding', name), role, only(objects, 'Deployment'));
}

test('all namespaces: the ClusterRole grants exactly what the calls need, the Lease Role the rest', async () => {
  const objects = await render();
  assertClusterScopedRole(objects);
  const name = `${RELEASE}-imagespec-controller`;
  const clusterRole = only(objects, 'ClusterRole', name);
  assertSameRights(grantedBy(rulesOf(clusterRole), 'watched'), 'watched', 'ClusterRole');
  assertBoundToServiceAccount(only(objects, 'ClusterRoleBinding', name), clusterRole, only(objects, 'Deployment'));
  assertLeaderElectionRole(objects);
  assert.equal(envOf(only(objects, 'Deployment')).has('IMAGESPEC_NAMESPACES'), false);
});

test('watched namespaces: a Role and RoleBinding in each, no cluster-wide rights but TokenReviews and reading Nodes, IMAGESPEC_NAMESPACES set', async () => {
  const watchNamespaces = ['team-a', 'team-b'];
  const objects = await render({ values: { watchNamespaces } });
  assert.deepEqual(
    objects.filter((o) => o.kind.startsWith('Cluster') && !/-(edit|view)$/.test(o.metadata.name)).map((o) => o.metadata.name.endsWith('-cluster')),
    [true, true],
    'no ClusterRole or ClusterRoleBinding but the cluster-scoped pair (and the tenants\' aggregated roles)',
  );
  assertClusterScopedRole(objects);
  const deployment = only(objects, 'Deployment');
  for (const namespace of watchNamespaces) {
    const inNamespace = objects.filter((o) => o.metadata.namespace === namespace);
    assert.deepEqual(inNamespace.map((o) => o.kind).sort(), ['Role', 'RoleBinding']);
    const role = only(inNamespace, 'Role');
    assertSameRights(grantedBy(rulesOf(role), 'watched'), 'watched', `Role in ${namespace}`);
    assertBoundToServiceAccount(only(inNamespace, 'RoleBinding'), role, deployment);
  }
  assertLeaderElectionRole(objects);
  assert.equal(envOf(deployment).get('IMAGESPEC_NAMESPACES'), 'team-a,team-b');
});

test('rbac.create=false renders no roles or bindings for the controller, only the tenants\' aggregated roles', async () => {
  const objects = await render({ values: { rbac: { create: false } } });
  assert.deepEqual(objects.filter((o) => /Role/.test(o.kind)).map((o) => `${o.kind} ${o.metadata.name}`).sort(), [
    `ClusterRole ${RELEASE}-imagespec-controller-edit`,
    `ClusterRole ${RELEASE}-imagespec-controller-view`,
  ]);
  const none = await render({ values: { rbac: { create: false, aggregateToDefaultRoles: false } } });
  assert.deepEqual(none.filter((o) => /Role/.test(o.kind)), []);
});

test('tenants: edit and admin manage ImageSpecs and only read ImageSpecJobs; view only reads', async () => {
  const objects = await render();
  const edit = only(objects, 'ClusterRole', `${RELEASE}-imagespec-controller-edit`);
  const view = only(objects, 'ClusterRole', `${RELEASE}-imagespec-controller-view`);
  const labels = (role: K8sObject) => Object.keys(role.metadata.labels ?? {}).filter((k) => k.startsWith('rbac.authorization.k8s.io/aggregate-to-')).sort();
  assert.deepEqual(labels(edit), ['rbac.authorization.k8s.io/aggregate-to-admin', 'rbac.authorization.k8s.io/aggregate-to-edit']);
  assert.deepEqual(labels(view), ['rbac.authorization.k8s.io/aggregate-to-view']);
  const verbsOn = (role: K8sObject, resource: string) =>
    rulesOf(role).filter((rule) => (rule.resources ?? []).includes(resource)).flatMap((rule) => rule.verbs).sort();
  assert.deepEqual(verbsOn(edit, 'imagespecs'), ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
  // Jobs and statuses are the controller's to write: a tenant's job would be a forged build.
  for (const resource of ['imagespecjobs', 'imagespecjobs/status', 'imagespecs/status']) assert.deepEqual(verbsOn(edit, resource), ['get', 'list', 'watch'], resource);
  for (const resource of ['imagespecs', 'imagespecjobs']) assert.deepEqual(verbsOn(view, resource), ['get', 'list', 'watch'], resource);
});
