// The node's pod network: deliberately none beyond loopback. Build Pods use hostNetwork (they
// must reach the registries on the host's 127.0.0.1 and package indexes through the host), so
// no bridge, no routes, no addresses outside 127.0.0.0/8 and no iptables rules are created.
// A CNI configuration must still exist for containerd to report the network ready, which is
// what makes the kubelet mark the node Ready. A Pod without hostNetwork cannot start on this
// node: containerd finds no eth0 address for it ("failed to find network info for sandbox").
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cniConfDir } from './paths.ts';

export const cniNetworkName = 'loopback-only';

export function renderLoopbackConflist(): string {
  return `${JSON.stringify({ cniVersion: '1.0.0', name: cniNetworkName, plugins: [{ type: 'loopback' }] }, null, 2)}\n`;
}

export function writeCniConfig(): void {
  mkdirSync(cniConfDir, { recursive: true });
  writeFileSync(join(cniConfDir, `10-${cniNetworkName}.conflist`), renderLoopbackConflist());
}
