import assert from 'node:assert/strict';
import { test } from 'node:test';
import { etcdPath, mountsBelow } from './cluster.ts';

test('mounts under the state directory are listed deepest first, with escapes decoded', () => {
  const mountinfo = [
    '22 1 0:20 / / rw - ext4 /dev/vda rw',
    '40 22 0:30 / /r/.cluster/data/a rw - tmpfs tmpfs rw',
    '41 40 0:31 / /r/.cluster/data/a/b\\040c rw - overlay overlay rw',
    '42 22 0:32 / /r/.clusterx rw - tmpfs tmpfs rw',
  ].join('\n');
  assert.deepEqual(mountsBelow(mountinfo, '/r/.cluster'), ['/r/.cluster/data/a/b c', '/r/.cluster/data/a']);
});

test('IMAGESPEC_ETCD overrides the etcd on the PATH; a missing etcd says how to install it', () => {
  assert.equal(etcdPath({ IMAGESPEC_ETCD: '/opt/etcd' }), '/opt/etcd');
  assert.throws(() => etcdPath({ PATH: '/nonexistent' }), /apt-get install -y etcd-server/);
});
