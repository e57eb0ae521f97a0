import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiserverArgs, controllerManagerArgs, etcdArgs, schedulerArgs } from './components.ts';

const layout = { pkiDir: '/s/pki', dataDir: '/s/data', stateDir: '/s' };
const all = [etcdArgs(layout), apiserverArgs(layout), controllerManagerArgs(layout, '/s/cm'), schedulerArgs(layout, '/s/sch')];

test('every address a component listens on or advertises is loopback', () => {
  for (const args of all) {
    for (const arg of args) {
      const value = arg.split('=').slice(1).join('=');
      if (/^--(bind-address|advertise-address)=/.test(arg)) assert.equal(value, '127.0.0.1', arg);
      if (/^--(listen|advertise|initial-advertise)-[\w-]*urls=/.test(arg) || arg.startsWith('--etcd-servers=')) {
        assert.match(value, /^https?:\/\/127\.0\.0\.1:\d+$/, arg);
      }
    }
  }
});

test('the API server authorizes with Node and RBAC and signs service-account tokens', () => {
  const args = apiserverArgs(layout);
  assert.ok(args.includes('--authorization-mode=Node,RBAC'));
  assert.ok(args.includes('--service-account-signing-key-file=/s/pki/sa.key'));
  assert.ok(args.includes('--service-account-key-file=/s/pki/sa.pub'));
  assert.ok(args.includes('--client-ca-file=/s/pki/ca.crt'));
});

test('the controller manager runs all default controllers (garbage collector included) under their own accounts', () => {
  const args = controllerManagerArgs(layout, '/s/cm');
  assert.ok(args.includes('--controllers=*'));
  assert.ok(args.includes('--use-service-account-credentials=true'));
  assert.ok(args.includes('--kubeconfig=/s/cm'));
  assert.ok(args.includes('--leader-elect=false'));
});

test('etcd keeps its data under the state directory', () => {
  assert.ok(etcdArgs(layout).includes('--data-dir=/s/data/etcd'));
});
