import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerOf, controllerReference } from './owner-references.ts';

test('a controller reference names its owner and is found again as the controller', () => {
  const reference = controllerReference('ImageSpec', { metadata: { name: 'web', uid: 'u-1' } });
  assert.deepEqual(reference, { apiVersion: 'imagespec.dev/v1alpha1', kind: 'ImageSpec', name: 'web', uid: 'u-1', controller: true, blockOwnerDeletion: true });
  const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u-2' };
  assert.deepEqual(controllerOf({ ownerReferences: [other, reference] }), reference);
  assert.equal(controllerOf({ ownerReferences: [other] }), undefined);
  assert.equal(controllerOf(undefined), undefined);
});
