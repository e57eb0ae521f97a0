import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRunning, parsePidRecord } from './processes.ts';

test('pid records carry the pid and the command name', () => {
  assert.deepEqual(parsePidRecord('1234 kube-apiserver\n'), { pid: 1234, command: 'kube-apiserver' });
  assert.equal(parsePidRecord('1234\n'), undefined);
  assert.equal(parsePidRecord('x etcd'), undefined);
  assert.equal(parsePidRecord('1 etcd'), undefined);
});

test('a live pid running another command does not count as running', () => {
  assert.equal(isRunning({ pid: process.pid, command: 'etcd' }), false);
  assert.equal(isRunning(undefined), false);
});
