// Command lines of the control-plane processes. Everything listens on 127.0.0.1 only.
import { join } from 'node:path';

export const loopback = '127.0.0.1';
export const ports = {
  etcdClient: 2379,
  etcdPeer: 2380,
  apiserver: 6443,
  controllerManager: 10257,
  scheduler: 10259,
} as const;
export const apiserverUrl = `https://${loopback}:${ports.apiserver}`;
/** Small on purpose: no kube-proxy runs, ClusterIPs only need to be allocatable. */
export const serviceCidr = '10.96.0.0/24';

export interface Layout {
  pkiDir: string;
  dataDir: string;
  stateDir: string;
}

export function etcdArgs(layout: Layout): string[] {
  const client = `http://${loopback}:${ports.etcdClient}`;
  const peer = `http://${loopback}:${ports.etcdPeer}`;
  return [
    '--name=local',
    `--data-dir=${join(layout.dataDir, 'etcd')}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=local=${peer}`,
    // A throwaway test store: keep the database small.
    '--quota-backend-bytes=2147483648',
    '--auto-compaction-retention=1',
  ];
}

export function apiserverArgs(layout: Layout): string[] {
  const pki = (file: string) => join(layout.pkiDir, file);
  return [
    `--etcd-servers=http://${loopback}:${ports.etcdClient}`,
    `--bind-address=${loopback}`,
    `--advertise-address=${loopback}`,
    `--secure-port=${ports.apiserver}`,
    `--tls-cert-file=${pki('kube-apiserver.crt')}`,
    `--tls-private-key-file=${pki('kube-apiserver.key')}`,
    `--client-ca-file=${pki('ca.crt')}`,
    '--authorization-mode=Node,RBAC',
    `--service-cluster-ip-range=${serviceCidr}`,
    `--service-account-issuer=${apiserverUrl}`,
    `--service-account-key-file=${pki('sa.pub')}`,
    `--service-account-signing-key-file=${pki('sa.key')}`,
    `--kubelet-client-certificate=${pki('apiserver-kubelet-client.crt')}`,
    `--kubelet-client-key=${pki('apiserver-kubelet-client.key')}`,
    '--kubelet-preferred-address-types=InternalIP,Hostname',
    // Request-header authentication: without it every delegating component (controller manager,
    // scheduler) keeps logging a missing client-ca bundle, and aggregated APIs cannot work.
    `--requestheader-client-ca-file=${pki('front-proxy-ca.crt')}`,
    '--requestheader-allowed-names=front-proxy-client',
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pki('front-proxy-client.crt')}`,
    `--proxy-client-key-file=${pki('front-proxy-client.key')}`,
    // The build Pod may be configured privileged; let the API accept it as a real cluster would.
    '--allow-privileged=true',
    // Endpoints may not hold loopback addresses, so the `kubernetes` Service gets none;
    // nothing here routes ClusterIPs anyway (no kube-proxy).
    '--endpoint-reconciler-type=none',
    '--profiling=false',
  ];
}

export function controllerManagerArgs(layout: Layout, kubeconfig: string): string[] {
  const pki = (file: string) => join(layout.pkiDir, file);
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${loopback}`,
    `--secure-port=${ports.controllerManager}`,
    `--cert-dir=${join(layout.stateDir, 'controller-manager')}`,
    // One instance: leader election would only delay a restart until the old lease expires.
    '--leader-elect=false',
    // Each controller acts as its own service account, so RBAC applies to them as in a real cluster.
    '--use-service-account-credentials=true',
    // All default controllers, garbage collector included.
    '--controllers=*',
    `--service-cluster-ip-range=${serviceCidr}`,
    `--root-ca-file=${pki('ca.crt')}`,
    `--service-account-private-key-file=${pki('sa.key')}`,
    `--cluster-signing-cert-file=${pki('ca.crt')}`,
    `--cluster-signing-key-file=${pki('ca.key')}`,
    '--profiling=false',
  ];
}

export function schedulerArgs(layout: Layout, kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${loopback}`,
    `--secure-port=${ports.scheduler}`,
    '--leader-elect=false',
    '--profiling=false',
  ];
}
