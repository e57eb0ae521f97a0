// The benchmark's Node. The benchmark plays the kubelet for Pod status; here it also plays the
// kubelet's registration, so that kube-scheduler binds every build Pod as it would on a real
// cluster instead of marking each one Unschedulable and reporting FailedScheduling (a status
// transition and Events a real build never has).
//
// The Node is Ready with room for any number of build Pods, labelled for this run only; the
// controller's IMAGESPEC_BUILD_NODE_SELECTOR (and so every build Pod and its floor copy) selects
// it alone. Like a kubelet, the benchmark renews the Node's Lease in kube-node-lease and leaves
// the Node itself alone: kube-controller-manager's node lifecycle controller counts a renewed
// Lease as a heartbeat and never marks the Node NotReady or taints it, and the controller under
// test, which watches Nodes, sees no update.
import { CoordinationV1Api, V1MicroTime, type V1Lease, type V1Node } from '@kubernetes/client-node';
import { ignoreNotFound, isAlreadyExists } from '../controllers/runtime/errors.ts';
import { mergePatch, type Kube } from '../e2e/integration/harness.ts';
import { waitFor } from '../e2e/wait.ts';

/** The label that ties the Node to one run; its value is the run's own (its namespace's name). */
export const BENCH_RUN_LABEL = 'imagespec.dev/bench-run';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** The kubelet's defaults: a 40 s Lease renewed every quarter of it. */
export const LEASE_DURATION_SECONDS = 40;
/**
 * kube-controller-manager (e2e/cluster/components.ts sets no node-monitor flags) declares a Node
 * lost 50 s (node-monitor-grace-period) after its last heartbeat, checked every 5 s: renewing every
 * 10 s leaves four renewals to miss on a busy machine.
 */
export const LEASE_RENEW_MS = 10_000;
/** The node lifecycle controller lifts the not-ready taint the API server puts on every new Node. */
const SCHEDULABLE_TIMEOUT_MS = 60_000;

/** More than any run can request: 100000 Pods of the default build requests (500m CPU, 512Mi, 2Gi). */
const CAPACITY = { pods: '100000', cpu: '100000', memory: '1Pi', 'ephemeral-storage': '1Pi' };

export function benchNodeName(pid: number): string {
  return `imagespec-bench-${pid}`;
}

/** IMAGESPEC_BUILD_NODE_SELECTOR (k=v) selecting this run's Node only. */
export function benchNodeSelector(runLabel: string): string {
  return `${BENCH_RUN_LABEL}=${runLabel}`;
}

/** The Node as a kubelet registers it: Ready, with capacity and allocatable for every build Pod. */
export function benchNode(name: string, runLabel: string, now: Date): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { [BENCH_RUN_LABEL]: runLabel, 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
    spec: {},
    status: {
      capacity: { ...CAPACITY },
      allocatable: { ...CAPACITY },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'the imagespec-controller benchmark plays this node\'s kubelet',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
    },
  };
}

/** The Node's Lease, owned by the Node as a kubelet's is. */
export function benchNodeLease(node: { name: string; uid: string }, now: Date): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: node.name, namespace: NODE_LEASE_NAMESPACE, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid }] },
    spec: { holderIdentity: node.name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: new V1MicroTime(now.getTime()) },
  };
}

/** The merge patch that renews the Lease (the API server takes MicroTime with microseconds only). */
export function leaseRenewal(now: Date): { spec: { renewTime: V1MicroTime } } {
  return { spec: { renewTime: new V1MicroTime(now.getTime()) } };
}

/** Ready and without a taint that keeps Pods off (NoSchedule) or evicts them (NoExecute). */
export function schedulable(node: V1Node | undefined): boolean {
  const ready = node?.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True';
  const blocking = (node?.spec?.taints ?? []).filter((taint) => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute');
  return ready && blocking.length === 0 && node?.spec?.unschedulable !== true;
}

/**
 * Deletes the namespace's Pods at once (grace period 0): a Pod bound to a Node no kubelet serves
 * never finishes a graceful delete, and neither would its namespace.
 */
export async function deletePodsNow(kube: Kube, namespace: string): Promise<void> {
  await kube.core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 });
}

/** Registers the Node, keeps its Lease renewed, and removes both at the end. */
export class BenchNode {
  readonly name: string;
  readonly nodeSelector: string;
  private readonly kube: Kube;
  private readonly runLabel: string;
  private readonly log: (line: string) => void;
  private readonly leases: CoordinationV1Api;
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  private removed = false;

  constructor(kube: Kube, runLabel: string, log: (line: string) => void, pid: number = process.pid) {
    this.kube = kube;
    this.runLabel = runLabel;
    this.log = log;
    this.name = benchNodeName(pid);
    this.nodeSelector = benchNodeSelector(runLabel);
    this.leases = kube.kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** Creates the Node and its Lease, starts renewing, and waits until the scheduler may use the Node. */
  async register(): Promise<void> {
    const created = await this.createNode();
    this.assertNotRemoved();
    await this.leases.createNamespacedLease({ namespace: NODE_LEASE_NAMESPACE, body: benchNodeLease({ name: this.name, uid: created.metadata!.uid! }, new Date()) });
    this.assertNotRemoved();
    this.timer = setInterval(() => {
      this.renewing ??= this.renew().finally(() => (this.renewing = undefined));
    }, LEASE_RENEW_MS);
    this.timer.unref();
    await waitFor(`Node ${this.name} to be schedulable (Ready, no taint)`, async () => schedulable(await this.kube.core.readNode({ name: this.name })), SCHEDULABLE_TIMEOUT_MS, 200);
  }

  /** Stops renewing, then deletes the Lease and the Node; safe to call at any point, and again. */
  async remove(): Promise<void> {
    this.removed = true;
    clearInterval(this.timer);
    await this.renewing;
    await this.leases.deleteNamespacedLease({ namespace: NODE_LEASE_NAMESPACE, name: this.name }).catch(ignoreNotFound);
    await this.kube.core.deleteNode({ name: this.name }).catch(ignoreNotFound);
  }

  /** A Node of the same name is left from a run of the same pid that could not clean up: replaced. */
  private async createNode(): Promise<V1Node> {
    const create = () => this.kube.core.createNode({ body: benchNode(this.name, this.runLabel, new Date()) });
    try {
      return await create();
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      this.log(`Node ${this.name} was left by an earlier run; replacing it`);
      await this.remove();
      this.removed = false;
      return create();
    }
  }

  private async renew(): Promise<void> {
    try {
      await this.leases.patchNamespacedLease({ namespace: NODE_LEASE_NAMESPACE, name: this.name, body: leaseRenewal(new Date()) }, mergePatch());
    } catch (error) {
      // The next renewal may succeed well within the grace period; only a run of failures matters.
      if (!this.removed) this.log(`could not renew the Lease of Node ${this.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private assertNotRemoved(): void {
    if (this.removed) throw new Error(`Node ${this.name} was removed while it was being registered`);
  }
}
