// A build Pod that no node takes (here: a node selector no node matches) has a deadline all the
// same: its own activeDeadlineSeconds starts only on a node, so the controller counts the build
// deadline from the Pod's creation, fails the job DeadlineExceeded with the scheduler's words and
// deletes the Pod, instead of leaving the revision Pending forever.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { clusterUp } from '../cluster/cluster.ts';
import { createNamespace, deleteNamespaces, uniqueNamespaceName } from '../namespaces.ts';
import { waitFor } from '../wait.ts';
import { connect, createImageSpec, getImageSpec, imageSpecObject, installCrds, listJobs, listPods, startController, type ControllerProcess, type Kube } from './harness.ts';

const DEADLINE_SECONDS = 10;
let kube: Kube;
let controller: ControllerProcess;
let ns = '';

before(async () => {
  const { kubeconfig } = await clusterUp({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) });
  kube = connect(kubeconfig);
  await installCrds(kube);
  ns = await createNamespace(kube, uniqueNamespaceName('unscheduled'));
  controller = startController(
    kubeconfig,
    {
      IMAGESPEC_REGISTRY_ENDPOINT: '127.0.0.1:5000',
      IMAGESPEC_REPO_PREFIX: '127.0.0.1:5000/it',
      IMAGESPEC_REGISTRY_INSECURE: 'true',
      IMAGESPEC_NAMESPACES: ns,
      IMAGESPEC_BUILD_TIMEOUT_SECONDS: String(DEADLINE_SECONDS),
      IMAGESPEC_BUILD_NODE_SELECTOR: 'imagespec.dev/integration=no-such-node',
    },
    'unscheduled',
  );
});

after(async () => {
  await controller?.stop();
  if (ns) await deleteNamespaces(kube, [ns]);
});

test('a build Pod never scheduled ends DeadlineExceeded at the build deadline, with the scheduler\'s words, and is deleted', async () => {
  await createImageSpec(kube, ns, imageSpecObject('stuck', { baseImage: '127.0.0.1:5001/base/debian:bookworm', packages: { apt: ['curl'] } }));
  const pod = await waitFor('the build Pod', async () => (await listPods(kube, ns))[0]);
  const failed = await waitFor('the ImageSpec to fail', async () => {
    const spec = await getImageSpec(kube, ns, 'stuck');
    return spec.status?.phase === 'Failed' ? spec : undefined;
  }, 120_000, 250);
  const ready = failed.status?.conditions?.find((condition) => condition.type === 'Ready');
  assert.equal(ready?.reason, 'DeadlineExceeded');
  assert.match(ready?.message ?? '', new RegExp(`^The build Pod ${pod.metadata!.name} was not scheduled within the build deadline of ${DEADLINE_SECONDS}s \\(Unschedulable: .+\\); it was deleted`));
  const [job] = await listJobs(kube, ns);
  assert.equal(job?.status?.reason, 'DeadlineExceeded');
  // Not before its deadline, counted from the Pod's creation.
  const waitedMs = Date.parse(job!.status!.completionTime!) - new Date(pod.metadata!.creationTimestamp!).getTime();
  assert.ok(waitedMs >= DEADLINE_SECONDS * 1000 - 1000, `failed after ${waitedMs} ms`);
  await waitFor('the build Pod to be deleted', async () => ((await listPods(kube, ns)).length === 0 ? true : undefined), 60_000, 250);
});
