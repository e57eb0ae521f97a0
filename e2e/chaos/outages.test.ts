import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOutages } from './outages.ts';

test('outages are component:seconds pairs, and anything else is refused naming the item', () => {
  assert.deepEqual(parseOutages('kube-apiserver:5, etcd:60'), [
    { component: 'kube-apiserver', seconds: 5 },
    { component: 'etcd', seconds: 60 },
  ]);
  for (const bad of ['kubelet:5', 'etcd', 'etcd:-1', 'etcd:5s']) assert.throws(() => parseOutages(bad), /IMAGESPEC_CHAOS_OUTAGES: ".*" is not kube-apiserver:<seconds> or etcd:<seconds>/);
});
