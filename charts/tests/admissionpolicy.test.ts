// The ValidatingAdmissionPolicy that keeps ImageSpecJobs the controller's own: who may write them,
// what it matches (never the status subresource), and where it applies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runHelm } from '../../e2e/helm/run.ts';
import { chartDir, NAMESPACE, only, RELEASE, render, template, type K8sObject } from './chart.ts';

interface Policy {
  failurePolicy: string;
  matchConstraints: { resourceRules: { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] }[] };
  variables: { name: string; expression: string }[];
  validations: { expression: string; message: string; reason: string }[];
}

interface Binding {
  policyName: string;
  validationActions: string[];
  matchResources?: { namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] } };
}

const POLICY = 'ValidatingAdmissionPolicy';
const BINDING = 'ValidatingAdmissionPolicyBinding';

function serviceAccountOf(objects: K8sObject[]): string {
  const deployment = only(objects, 'Deployment');
  return (deployment['spec'] as { template: { spec: { serviceAccountName: string } } }).template.spec.serviceAccountName;
}

function policyOf(objects: K8sObject[]): { policy: K8sObject; spec: Policy; binding: Binding } {
  const policy = only(objects, POLICY);
  return { policy, spec: policy['spec'] as Policy, binding: only(objects, BINDING)['spec'] as Binding };
}

test('by default a policy lets only the controller\'s ServiceAccount create ImageSpecJobs or change their spec', async () => {
  const objects = await render();
  const { policy, spec, binding } = policyOf(objects);
  assert.equal(policy.apiVersion, 'admissionregistration.k8s.io/v1');
  assert.equal(only(objects, BINDING).apiVersion, 'admissionregistration.k8s.io/v1');
  assert.equal(policy.metadata.namespace, undefined, 'cluster-scoped');
  assert.equal(binding.policyName, policy.metadata.name);
  assert.deepEqual(binding.validationActions, ['Deny']);
  assert.equal(binding.matchResources, undefined, 'every namespace, like the ClusterRole');
  assert.equal(spec.failurePolicy, 'Fail');

  // The main resource only: the controller's status writes go to imagespecjobs/status.
  assert.deepEqual(spec.matchConstraints.resourceRules, [
    { apiGroups: ['imagespec.dev'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['imagespecjobs'] },
  ]);

  const username = `system:serviceaccount:${NAMESPACE}:${serviceAccountOf(objects)}`;
  assert.deepEqual(spec.variables, [{ name: 'fromController', expression: `request.userInfo.username == '${username}'` }]);
  const [create, update] = spec.validations;
  assert.equal(create?.expression, "request.operation != 'CREATE' || variables.fromController");
  assert.equal(update?.expression, "request.operation != 'UPDATE' || variables.fromController || object.spec == oldObject.spec");
  for (const validation of spec.validations) {
    assert.equal(validation.reason, 'Forbidden');
    assert.ok(validation.message.includes(username), validation.message);
    assert.match(validation.message, /ImageSpec instead$/);
  }
});

test('with watched namespaces the policy applies in those namespaces only', async () => {
  const { binding } = policyOf(await render({ values: { watchNamespaces: ['team-a', 'team-b'] } }));
  assert.deepEqual(binding.matchResources, {
    namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['team-a', 'team-b'] }] },
  });
});

test('the policy names the ServiceAccount the Deployment runs as, whoever made it', async () => {
  const objects = await render({ values: { serviceAccount: { create: false, name: 'platform-builder' } } });
  assert.equal(serviceAccountOf(objects), 'platform-builder');
  const { spec } = policyOf(objects);
  assert.equal(spec.variables[0]?.expression, `request.userInfo.username == 'system:serviceaccount:${NAMESPACE}:platform-builder'`);
});

test('two releases get two policies of their own', async () => {
  const a = policyOf(await render()).policy.metadata.name;
  const b = policyOf(await render({ values: { fullnameOverride: 'other-imagespec' } })).policy.metadata.name;
  assert.notEqual(a, b);
});

test('admissionPolicy.enabled=false renders neither policy nor binding', async () => {
  const objects = await render({ values: { admissionPolicy: { enabled: false } } });
  assert.deepEqual(objects.filter((o) => o.kind.startsWith('ValidatingAdmissionPolicy')), []);
});

test('before Kubernetes 1.30 the chart says the policy needs it, and installs with it turned off', async () => {
  const old = await runHelm(['template', RELEASE, chartDir, '--namespace', NAMESPACE, '--kube-version', '1.29.0']);
  assert.notEqual(old.code, 0);
  assert.match(old.stderr, /admissionPolicy\.enabled needs .*Kubernetes 1\.30 or later.*admissionPolicy\.enabled=false/);
  const off = await runHelm(['template', RELEASE, chartDir, '--namespace', NAMESPACE, '--kube-version', '1.29.0', '--set', 'admissionPolicy.enabled=false']);
  assert.equal(off.code, 0, off.stderr);
});

test('admissionPolicy is checked by the values schema', async () => {
  for (const values of [{ admissionPolicy: { enabled: 'yes' } }, { admissionPolicy: { enable: true } }]) {
    const result = await template({ values });
    assert.notEqual(result.code, 0, JSON.stringify(values));
    assert.match(result.stderr, /admissionPolicy/);
  }
});
