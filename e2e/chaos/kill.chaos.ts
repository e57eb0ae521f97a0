// Chaos: the controller killed with SIGKILL at random points while ImageSpecs are created, edited
// (superseding running builds) and deleted and builds finish (the test plays the kubelet through
// the Pod status subresource). The schedule comes from a printed seed (IMAGESPEC_CHAOS_SEED
// reproduces it; the timing of the kills relative to the controller's work cannot be). After the
// last restart everything must converge (convergence.ts) without another restart.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GROUP, IMAGESPEC_PLURAL, VERSION } from '../../api/types.ts';
import { clusterUp } from '../cluster/cluster.ts';
import {
  connect,
  createImageSpec,
  imageSpecObject,
  installCrds,
  listJobs,
  listPods,
  patchImageSpec,
  startController,
  type ControllerProcess,
  type Kube,
} from '../integration/harness.ts';
import * as podStatus from '../integration/pod-status-writer.ts';
import { setPodStatus } from '../integration/pod-status-writer.ts';
import { createNamespace, deleteNamespaces, uniqueNamespaceName } from '../namespaces.ts';
import { convergenceProblems } from './convergence.ts';
import { chaosBase, chaosControllerEnv, namespaceObjects, untilNoProblems } from './namespace-state.ts';
import { chaosSeed, seededRandom, type Random } from './random.ts';

const KILLS = Number(process.env['IMAGESPEC_CHAOS_KILLS'] ?? 50);
const SPECS = 16;
let kube: Kube;
let kubeconfig: string;
let namespace = '';
let controller: ControllerProcess | undefined;
const log = (line: string) => process.stderr.write(`[chaos] ${line}\n`);

before(async () => {
  ({ kubeconfig } = await clusterUp({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) }));
  kube = connect(kubeconfig);
  await installCrds(kube);
  namespace = await createNamespace(kube, uniqueNamespaceName('chaos-kill'));
});

after(async () => {
  await controller?.stop('SIGKILL');
  await deleteNamespaces(kube, [namespace]);
});

/** The workload: one random operation, as a tenant or as the kubelet would do it. */
class Workload {
  private readonly version = new Map<string, number>();
  operations = 0;
  refused = 0;

  private readonly random: Random;

  constructor(random: Random) {
    this.random = random;
  }

  private packagesOf(name: string) {
    return { apt: [`${name}-v${this.version.get(name) ?? 0}`] };
  }

  async step(): Promise<void> {
    const name = `svc-${this.random.int(0, SPECS - 1)}`;
    const exists = this.version.has(name);
    const roll = this.random.next();
    this.operations += 1;
    try {
      if (!exists) {
        this.version.set(name, 0);
        await createImageSpec(kube, namespace, imageSpecObject(name, { ...chaosBase, packages: this.packagesOf(name) }));
      } else if (roll < 0.35) {
        this.version.set(name, this.version.get(name)! + 1);
        await patchImageSpec(kube, namespace, name, { spec: { packages: this.packagesOf(name) } });
      } else if (roll < 0.45) {
        this.version.delete(name);
        await kube.custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: IMAGESPEC_PLURAL, name });
      } else {
        await this.finishSomeBuild(roll < 0.8);
      }
    } catch {
      // A Pod the controller just deleted, an ImageSpec not there yet: the chaos allows it.
      this.refused += 1;
    }
  }

  /** The kubelet's part: a build Pod starts, succeeds or fails. */
  private async finishSomeBuild(succeed: boolean): Promise<void> {
    const pods = (await listPods(kube, namespace)).filter((pod) => !['Succeeded', 'Failed'].includes(pod.status?.phase ?? ''));
    if (pods.length === 0) return;
    const pod = this.random.pick(pods);
    const status = pod.status?.phase !== 'Running' && this.random.chance(0.3)
      ? podStatus.running()
      : succeed
        ? podStatus.succeeded(`sha256:${this.random.int(0, 0xffffff).toString(16).padStart(64, '0')}`)
        : podStatus.buildStepFailed('AptInstallFailed', 'E: Unable to locate package');
    await setPodStatus(kube, namespace, pod.metadata!.name!, status);
  }

  async run(forMs: number): Promise<void> {
    const until = Date.now() + forMs;
    while (Date.now() < until) {
      await this.step();
      await new Promise((resolve) => setTimeout(resolve, this.random.int(0, 40)));
    }
  }
}

test(`the controller killed with SIGKILL ${KILLS} times amid creations, edits, deletions and finishing builds converges`, async () => {
  const seed = chaosSeed();
  log(`seed ${seed} (IMAGESPEC_CHAOS_SEED=${seed} reproduces the schedule), ${KILLS} kills`);
  const random = seededRandom(seed);
  const workload = new Workload(random);
  let revisions = 0;

  for (let kill = 1; kill <= KILLS; kill += 1) {
    controller = startController(kubeconfig, chaosControllerEnv('chaos', namespace), `chaos-kill-${kill}`);
    // Anywhere from before the caches fill to well into the work.
    await workload.run(random.int(100, 2_500));
    await controller.stop('SIGKILL');
    controller = undefined;
    // Sometimes the world moves on while no controller runs.
    if (random.chance(0.3)) await workload.run(random.int(50, 800));
    if (kill % 10 === 0) {
      revisions = (await listJobs(kube, namespace)).length;
      log(`${kill} kills, ${workload.operations} operations (${workload.refused} refused), ${revisions} ImageSpecJobs in the namespace`);
    }
  }

  controller = startController(kubeconfig, chaosControllerEnv('chaos', namespace), 'chaos-kill-final');
  const ms = await untilNoProblems(
    `convergence after the last restart (seed ${seed})`,
    async () => convergenceProblems(await namespaceObjects(kube, namespace)),
    120_000,
    250,
  );
  const final = await namespaceObjects(kube, namespace);
  log(
    `converged ${(ms / 1000).toFixed(1)} s after the last restart: ${final.imageSpecs.length} ImageSpecs, ` +
      `${final.jobs.length} ImageSpecJobs, ${final.pods.length} Pods; ${workload.operations} operations over ${KILLS} kills (seed ${seed})`,
  );
  assert.ok(workload.operations >= KILLS, 'work happened between the kills');
  assert.equal(controller.child.exitCode, null, 'the final controller still runs');
});
