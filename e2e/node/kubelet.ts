// The kubelet of the pinned release (the cluster's multi-call binary), on the node's containerd,
// listening on 127.0.0.1 only, with its state under .cluster/node.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { apiserverUrl } from '../cluster/components.ts';
import { writeKubeconfig } from '../cluster/kubeconfig.ts';
import { ensureCert, kubeletClientCert, kubeletServingCert } from '../cluster/pki.ts';
import { isRunning, logTail, readPidRecord, startDaemon, stopDaemon } from '../cluster/processes.ts';
import { containerdSocket, kubeletConfigPath, kubeletDir, kubeletKubeconfigPath, logDir, nodeDir, pidDir, pkiDir } from './paths.ts';

export const kubeletDaemon = 'kubelet';

/**
 * The node's name, and its address. The kubelet refuses a loopback --node-ip ("nodeIP can't be
 * loopback address"), but a --hostname-override that is an IP address becomes the node's
 * InternalIP without that check; so the node is named after 127.0.0.1, and the API server
 * reaches the kubelet (logs, exec) there, never on any other address.
 */
export const kubeletNodeName = '127.0.0.1';
export const kubeletPorts = { server: 10250, healthz: 10248 } as const;
export const podLogsDir = join(nodeDir, 'pod-logs');

export interface KubeletConfigInput {
  clientCaFile: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  containerdSocket: string;
  podLogsDir: string;
}

/** KubeletConfiguration (kubelet.config.k8s.io/v1beta1). */
export function renderKubeletConfig(input: KubeletConfigInput): string {
  return dump({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: '127.0.0.1',
    port: kubeletPorts.server,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: kubeletPorts.healthz,
    tlsCertFile: input.tlsCertFile,
    tlsPrivateKeyFile: input.tlsKeyFile,
    // kube-apiserver calls in with its kubelet-client certificate; everyone else is checked by the API server.
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: input.clientCaFile } },
    authorization: { mode: 'Webhook' },
    containerRuntimeEndpoint: `unix://${input.containerdSocket}`,
    // Like containerd (SystemdCgroup = false): there is no systemd here.
    cgroupDriver: 'cgroupfs',
    // This machine's cgroups are hybrid (v1 controllers, v2 mounted beside them); recent kubelets refuse v1 unless told.
    failCgroupV1: false,
    failSwapOn: false,
    podLogsDir: input.podLogsDir,
    clusterDomain: 'cluster.local',
    // A small or busy disk must not evict build Pods or mark the node DiskPressure; images are never collected.
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'nodefs.inodesFree': '1%', 'imagefs.available': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    // Build images are large: pull several at once rather than one after another.
    serializeImagePulls: false,
  });
}

export function kubeletArgs(): string[] {
  return [
    `--config=${kubeletConfigPath}`,
    `--kubeconfig=${kubeletKubeconfigPath}`,
    `--root-dir=${kubeletDir}`,
    `--cert-dir=${join(kubeletDir, 'pki')}`,
    `--hostname-override=${kubeletNodeName}`,
    '--v=1',
  ];
}

/** Certificates, kubeconfig and configuration file. */
export function writeKubeletFiles(): void {
  for (const dir of [nodeDir, kubeletDir, podLogsDir]) mkdirSync(dir, { recursive: true });
  const client = ensureCert(pkiDir, kubeletClientCert(kubeletNodeName));
  const serving = ensureCert(pkiDir, kubeletServingCert(kubeletNodeName));
  const ca = join(pkiDir, 'ca.crt');
  writeKubeconfig(kubeletKubeconfigPath, { server: apiserverUrl, user: `system:node:${kubeletNodeName}`, ca, cert: client.cert, key: client.key });
  writeFileSync(
    kubeletConfigPath,
    renderKubeletConfig({ clientCaFile: ca, tlsCertFile: serving.cert, tlsKeyFile: serving.key, containerdSocket, podLogsDir }),
  );
}

export function kubeletRunning(): boolean {
  return isRunning(readPidRecord(pidDir, kubeletDaemon));
}

export function startKubelet(kubeletBinary: string, log: (line: string) => void): void {
  writeKubeletFiles();
  const record = startDaemon({ name: kubeletDaemon, command: kubeletBinary, args: kubeletArgs() }, { pidDir, logDir });
  log(`Started kubelet (pid ${record.pid}) as node ${kubeletNodeName}`);
}

/** Throws with the log tail when the kubelet has died. */
export function assertKubeletAlive(): void {
  if (!kubeletRunning()) throw new Error(`kubelet exited; last lines of ${join(logDir, 'kubelet.log')}:\n${logTail(logDir, kubeletDaemon, 40)}`);
}

export async function stopKubelet(log: (line: string) => void): Promise<void> {
  if (await stopDaemon(pidDir, kubeletDaemon)) log('Stopped kubelet');
}
