import assert from 'node:assert/strict';
import { test } from 'node:test';
import { load } from 'js-yaml';
import { renderLoopbackConflist } from './cni.ts';
import { renderContainerdConfig, renderPlainHttpHosts, type ContainerdLayout } from './containerd.ts';
import { renderKubeletConfig } from './kubelet.ts';
import { baseRegistry, pushRegistry, renderRegistryConfig } from './registry.ts';

const layout: ContainerdLayout = { dir: '/s/ctd', socket: '/s/ctd/c.sock', hostsDir: '/s/ctd/certs.d', cniBinDir: '/usr/lib/cni', cniConfDir: '/s/cni' };

test('registries listen on loopback; only the push registry asks for a password', () => {
  const push = load(renderRegistryConfig(pushRegistry, '/r/push')) as Record<string, any>;
  const base = load(renderRegistryConfig(baseRegistry, '/r/base')) as Record<string, any>;
  assert.equal(push.http.addr, '127.0.0.1:5000');
  assert.equal(base.http.addr, '127.0.0.1:5001');
  assert.equal(push.auth.htpasswd.path, '/r/push/htpasswd');
  assert.equal(base.auth, undefined);
  assert.equal(push.storage.filesystem.rootdirectory, '/r/push/data');
});

test('containerd keeps every path of its own and runs runc without systemd cgroups', () => {
  const toml = renderContainerdConfig(layout, '127.0.0.1:5001/imagespec/pause:1-abc');
  assert.match(toml, /^root = "\/s\/ctd\/root"$/m);
  assert.match(toml, /^state = "\/s\/ctd\/state"$/m);
  assert.match(toml, /^\s+address = "\/s\/ctd\/c\.sock"$/m);
  assert.match(toml, /sandbox_image = "127\.0\.0\.1:5001\/imagespec\/pause:1-abc"/);
  assert.match(toml, /SystemdCgroup = false/);
  assert.match(toml, /BinaryName = "runc"/);
  assert.match(toml, /Root = "\/s\/ctd\/runc"/);
  assert.match(toml, /restrict_oom_score_adj = true/);
  assert.match(toml, /netns_mounts_under_state_dir = true/);
  assert.match(toml, /config_path = "\/s\/ctd\/certs\.d"/);
  assert.match(toml, /conf_dir = "\/s\/cni"/);
  assert.doesNotMatch(toml, /"\/(var|run|etc|opt)\//, 'no system path');
});

test('registries on loopback are reached over plain HTTP', () => {
  const hosts = renderPlainHttpHosts('127.0.0.1:5001');
  assert.match(hosts, /^server = "http:\/\/127\.0\.0\.1:5001"$/m);
  assert.match(hosts, /\[host\."http:\/\/127\.0\.0\.1:5001"\]/);
});

test('the CNI configuration only sets up loopback', () => {
  const conflist = JSON.parse(renderLoopbackConflist()) as { plugins: { type: string }[] };
  assert.deepEqual(conflist.plugins.map((p) => p.type), ['loopback']);
});

test('the kubelet listens on loopback, tolerates cgroup v1 and swap, and never collects images', () => {
  const config = load(
    renderKubeletConfig({ clientCaFile: '/p/ca.crt', tlsCertFile: '/p/k.crt', tlsKeyFile: '/p/k.key', containerdSocket: '/s/c.sock', podLogsDir: '/s/logs' }),
  ) as Record<string, any>;
  assert.equal(config.kind, 'KubeletConfiguration');
  assert.equal(config.address, '127.0.0.1');
  assert.equal(config.healthzBindAddress, '127.0.0.1');
  assert.equal(config.readOnlyPort, 0);
  assert.equal(config.failCgroupV1, false);
  assert.equal(config.failSwapOn, false);
  assert.equal(config.cgroupDriver, 'cgroupfs');
  assert.equal(config.containerRuntimeEndpoint, 'unix:///s/c.sock');
  assert.equal(config.podLogsDir, '/s/logs');
  assert.equal(config.imageGCHighThresholdPercent, 100);
  assert.equal(config.authentication.anonymous.enabled, false);
  assert.equal(config.staticPodPath, undefined);
});
