import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseEnv } from 'node:util';
import { renderControllerEnv } from './controller-env.ts';
import { directoriesBelow, removeContainerLogLinks } from './host-leftovers.ts';
import { readyAfter } from './node.ts';
import { isShimOf } from './shims.ts';

test('the controller .env points at the loopback registries and the local builder image', () => {
  const text = renderControllerEnv({
    pushRegistry: '127.0.0.1:5000',
    repoPrefix: '127.0.0.1:5000/imagespec',
    credentials: { username: 'u', password: 'p-_x' },
    baseRegistry: '127.0.0.1:5001',
    builderImage: '127.0.0.1:5001/imagespec/builder:bookworm-abc',
  });
  const env = parseEnv(text);
  assert.equal(env['IMAGESPEC_REGISTRY_ENDPOINT'], '127.0.0.1:5000');
  assert.equal(env['IMAGESPEC_REGISTRY_PASSWORD'], 'p-_x');
  assert.equal(env['IMAGESPEC_REPO_PREFIX'], '127.0.0.1:5000/imagespec');
  assert.equal(env['IMAGESPEC_INSECURE_REGISTRIES'], '127.0.0.1:5001');
  assert.equal(env['IMAGESPEC_BUILDAH_IMAGE'], env['IMAGESPEC_PUSH_IMAGE']);
  assert.equal(env['IMAGESPEC_BUILD_HOST_NETWORK'], 'true');
});

test('a value that a .env file cannot hold unquoted is refused', () => {
  assert.throws(
    () => renderControllerEnv({ pushRegistry: 'r', repoPrefix: 'r/p', credentials: { username: 'u', password: 'a b' }, baseRegistry: 'b', builderImage: 'i' }),
    /IMAGESPEC_REGISTRY_PASSWORD/,
  );
});

test('a Ready condition counts only from a heartbeat after the kubelet started', () => {
  const conditions = (status: string, at: string) => [{ type: 'Ready', status, lastHeartbeatTime: at }];
  const started = Date.parse('2026-01-01T10:00:00.700Z');
  assert.equal(readyAfter(conditions('True', '2026-01-01T09:59:30Z'), started), false, 'stale status of an earlier run');
  assert.equal(readyAfter(conditions('True', '2026-01-01T10:00:00Z'), started), true, 'same second');
  assert.equal(readyAfter(conditions('False', '2026-01-01T10:00:05Z'), started), false);
  assert.equal(readyAfter(undefined, started), false);
});

test('shims are recognised by the node socket on their command line', () => {
  const argv = ['/usr/bin/containerd-shim-runc-v2', '-namespace', 'k8s.io', '-id', 'x', '-address', '/s/c.sock'].join('\0');
  assert.equal(isShimOf(argv, '/s/c.sock'), true);
  assert.equal(isShimOf(argv, '/run/containerd/containerd.sock'), false);
  assert.equal(isShimOf(['/usr/bin/containerd', '--address', '/s/c.sock'].join('\0'), '/s/c.sock'), false);
});

test('only log links into the node pod log directory are removed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'links-'));
  const ours = join(dir, 'ours.log');
  const theirs = join(dir, 'theirs.log');
  symlinkSync('/s/pod-logs/ns_pod_uid/c/0.log', ours);
  symlinkSync('/var/log/pods/ns_pod_uid/c/0.log', theirs);
  writeFileSync(join(dir, 'plain.log'), '');
  assert.equal(removeContainerLogLinks('/s/pod-logs', dir), 1);
  assert.deepEqual(readdirSync(dir).sort(), ['plain.log', 'theirs.log']);
});

test('directories are listed deepest first', () => {
  const root = mkdtempSync(join(tmpdir(), 'tree-'));
  mkdirSync(join(root, 'a', 'b', 'c'), { recursive: true });
  mkdirSync(join(root, 'd'));
  const dirs = directoriesBelow(root);
  assert.equal(dirs[0], join(root, 'a', 'b', 'c'));
  assert.equal(dirs.at(-1), root);
  assert.equal(dirs.length, 5);
});
