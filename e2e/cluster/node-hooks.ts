// The point where a worker node (containerd + kubelet, in e2e/node/) joins the control plane.
// The cluster code does not depend on the node code: the caller passes the node's hooks
// (e2e/node/hooks.ts exports them as `nodeHooks`) to clusterUp/clusterDown.
import type { Log } from './build.ts';

/** What a node needs to know about the running control plane. */
export interface ControlPlane {
  /** Admin kubeconfig (system:masters). */
  kubeconfig: string;
  apiserverUrl: string;
  /** Holds ca.crt/ca.key; issue node certificates here with ensureCert() from pki.ts. */
  pkiDir: string;
  /** <repo>/.cluster and its pids/, logs/, data/ parts; startDaemon() from processes.ts records there. */
  stateDir: string;
  pidDir: string;
  logDir: string;
  dataDir: string;
  /** Holds kubelet, kubectl, ... of the pinned release. */
  binDir: string;
  log: Log;
}

export interface NodeHooks {
  /** Starts the node (idempotent) once the API server is ready. */
  up(controlPlane: ControlPlane): Promise<void>;
  /** Stops the node and removes its mounts; called before the control plane stops. */
  down(controlPlane: ControlPlane): Promise<void>;
}
