// End-to-end: real builds on the local node. The controller creates the build Pod, the kubelet
// runs it on containerd, buildah builds from the loopback base registry, the push step uploads the
// image to the controller, which pushes it to the authenticated registry, and the ImageSpec's
// status must tell the truth about all of it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GROUP, IMAGESPEC_PLURAL, LABEL_JOB, VERSION, type ImageSpec } from '../../api/types.ts';
import { createImageSpec, getImageSpec, getJob, imageSpecObject, listJobs, listPods, patchImageSpec, type ControllerProcess } from '../integration/harness.ts';
import { waitFor } from '../wait.ts';
import { builderRecipe } from '../node/images/recipes.ts';
import { notebookUser } from '../node/images/recipes.ts';
import {
  fetchManifest,
  finished,
  kubectl,
  namespaceName,
  readyCondition,
  runInImage,
  seconds,
  startBuildController,
  startE2e,
  type E2e,
} from './harness.ts';
import { createNamespace, deleteNamespaces } from '../namespaces.ts';
import { credentialFindings } from './credential-scan.ts';
import { pushProbeBaseImage } from './probe/probe-image.ts';
import { probeProject, startProbeIndex, type ProbeIndex } from './probe/probe-package.ts';

const pythonBase = '127.0.0.1:5001/base/python:3.11-bookworm';

let e2e: E2e;
let controller: ControllerProcess;
const ns = namespaceName('builds');

function describeFailure(spec: ImageSpec): string {
  const ready = readyCondition(spec);
  return `phase ${spec.status?.phase}, reason ${ready?.reason}: ${ready?.message}`;
}

describe('real builds on the local node', () => {
  let cold: { spec: ImageSpec; ms: number } | undefined;

  before(async () => {
    e2e = await startE2e();
    await createNamespace(e2e.kube, ns);
    controller = startBuildController(e2e, 'e2e-builds', [ns]);
    process.stderr.write(`[e2e] builder image ${e2e.node.images.builder.pinned} (base image ${builderRecipe.repository})\n`);
  });

  after(async () => {
    await controller?.stop();
    if (e2e) await deleteNamespaces(e2e.kube, [ns]);
  });

  test('apt and pip packages on the python base: built, pushed with auth, and the status tells the truth', async () => {
    const started = Date.now();
    await createImageSpec(e2e.kube, ns, imageSpecObject('notebook', { baseImage: pythonBase, packages: { apt: ['jq'], pip: ['six==1.16.0'] } }));
    const spec = await finished(e2e.kube, ns, 'notebook');
    cold = { spec, ms: Date.now() - started };
    process.stderr.write(`[e2e] cold build (apt + pip) took ${seconds(cold.ms)} s\n`);
    assert.equal(spec.status?.phase, 'Succeeded', describeFailure(spec));

    const rev12 = spec.status!.revision!.slice(0, 12);
    assert.equal(spec.status?.image, `${e2e.node.repoPrefix}/${ns}/notebook:${rev12}`);
    assert.match(spec.status?.digest ?? '', /^sha256:[0-9a-f]{64}$/);

    // The digest in the status is the one the registry serves, and only with the credentials.
    const manifest = await fetchManifest(spec.status!.image!, e2e.node.pushCredentials);
    assert.equal(manifest.digest, spec.status?.digest);
    await assert.rejects(fetchManifest(spec.status!.image!), /HTTP 401/);

    // The image holds the packages and runs as the base image's user.
    const check = await runInImage(
      e2e.kube,
      ns,
      'check-notebook',
      `${spec.status!.image!}@${spec.status!.digest!}`,
      "id -un; id -u; dpkg -s jq | grep '^Status:'; pip show six | grep -E '^(Name|Version):'; python3 -c 'import six; print(\"import six ok\")'",
      e2e.node.pushCredentials,
    );
    assert.equal(check.phase, 'Succeeded', check.logs);
    assert.match(check.logs, new RegExp(`^${notebookUser.name}\\n${notebookUser.uid}\\n`));
    assert.match(check.logs, /Status: install ok installed/);
    assert.match(check.logs, /Name: six\nVersion: 1\.16\.0/);
    assert.match(check.logs, /import six ok/);

    // `kubectl logs` on the build Pod shows the build and the push.
    const pod = `${spec.status!.jobName}-build`;
    const buildLog = kubectl(e2e, ['logs', '-n', ns, pod, '-c', 'build']);
    // Lines buildah and build.sh print themselves. What the RUN steps print is relayed by buildah's
    // chroot runtime, which can drop the last lines when a step exits; the packages' presence is
    // checked in the image itself above.
    assert.match(buildLog, /STEP \d+\/\d+: FROM /);
    assert.match(buildLog, /STEP \d+\/\d+: RUN --mount=type=bind,source=apt\.txt/);
    assert.match(buildLog, /STEP \d+\/\d+: RUN --mount=type=bind,source=requirements\.txt/);
    assert.match(buildLog, /imagespec: build finished/);
    const pushLog = kubectl(e2e, ['logs', '-n', ns, pod, '-c', 'push']);
    assert.match(pushLog, new RegExp(`pushed ${spec.status!.image!.replaceAll('.', '\\.')}@sha256:`));
  });

  test('editing only the pip list rebuilds on top of the cached base and apt layers', async () => {
    assert.ok(cold, 'needs the cold build of the previous test');
    assert.equal(cold.spec.status?.phase, 'Succeeded');
    const started = Date.now();
    await patchImageSpec(e2e.kube, ns, 'notebook', { spec: { packages: { apt: ['jq'], pip: ['six==1.16.0', 'idna==3.7'] } } });
    const spec = await finished(e2e.kube, ns, 'notebook', 15 * 60_000, cold.spec.status!.revision);
    const ms = Date.now() - started;
    process.stderr.write(`[e2e] pip-only rebuild took ${seconds(ms)} s (cold build ${seconds(cold.ms)} s, ${Math.round((100 * ms) / cold.ms)}%)\n`);
    assert.equal(spec.status?.phase, 'Succeeded', describeFailure(spec));

    const before = await fetchManifest(cold.spec.status!.image!, e2e.node.pushCredentials);
    const afterEdit = await fetchManifest(spec.status!.image!, e2e.node.pushCredentials);
    let shared = 0;
    while (shared < before.layers.length && before.layers[shared] === afterEdit.layers[shared]) shared += 1;
    process.stderr.write(`[e2e] layers shared with the previous build: ${shared} of ${before.layers.length}\n`);
    // Everything before the pip step (base image, apt list, apt install) comes from the cache;
    // only the pip list and the pip install layers are new.
    assert.ok(shared >= before.layers.length - 2, `only ${shared} of ${before.layers.length} layers were reused: ${JSON.stringify({ before: before.layers, after: afterEdit.layers })}`);
  });

  test('an ImageSpec deleted and created again gets its image from the registry, with no build', async () => {
    const built = await getImageSpec(e2e.kube, ns, 'notebook');
    assert.equal(built.status?.phase, 'Succeeded', describeFailure(built));
    await e2e.kube.custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: IMAGESPEC_PLURAL, name: 'notebook' });
    // Its jobs go with it (garbage collection); the new ImageSpec's job will have the same name.
    await waitFor('the deleted ImageSpec\'s jobs to be gone', async () => ((await listJobs(e2e.kube, ns)).some((job) => job.spec.imageSpecName === 'notebook') ? undefined : true), 120_000, 100);

    const started = Date.now();
    await createImageSpec(e2e.kube, ns, imageSpecObject('notebook', built.spec));
    const spec = await waitFor(
      'the recreated ImageSpec to finish',
      async () => {
        const current = await getImageSpec(e2e.kube, ns, 'notebook');
        return current.status?.phase === 'Succeeded' || current.status?.phase === 'Failed' ? current : undefined;
      },
      120_000,
      50,
    );
    process.stderr.write(`[e2e] recreated ImageSpec of a built revision: Succeeded ${seconds(Date.now() - started)} s after its creation\n`);
    assert.equal(spec.status?.phase, 'Succeeded', describeFailure(spec));
    assert.deepEqual([spec.status?.revision, spec.status?.image, spec.status?.digest], [built.status?.revision, built.status?.image, built.status?.digest]);
    const job = await getJob(e2e.kube, ns, spec.status!.jobName!);
    assert.equal(job.status?.reason, 'AlreadyBuilt', JSON.stringify(job.status));
    assert.equal(job.status?.podName, undefined);
    const pods = (await listPods(e2e.kube, ns)).filter((pod) => pod.metadata?.labels?.[LABEL_JOB] === job.metadata.name);
    assert.deepEqual(pods.map((pod) => pod.metadata?.name), [], 'no build Pod');
  });

  describe('a RUN step finds no registry credentials', () => {
    let index: ProbeIndex;
    before(async () => {
      const { username, password } = e2e.node.pushCredentials;
      index = await startProbeIndex([
        { label: 'the push password', value: password },
        { label: 'the push auth (base64 user:password)', value: Buffer.from(`${username}:${password}`).toString('base64') },
      ]);
    });
    after(async () => index?.close());

    test('a package that searches every file and process of the build finds nothing', async () => {
      const base = await pushProbeBaseImage(index.url, `e2e-${process.pid}`);
      await createImageSpec(e2e.kube, ns, imageSpecObject('credprobe', { baseImage: base, packages: { pip: [probeProject] } }));
      const spec = await finished(e2e.kube, ns, 'credprobe');
      assert.equal(spec.status?.phase, 'Succeeded', describeFailure(spec));
      assert.ok(index.downloads() >= 1, 'pip fetched the probe from the loopback index');

      const check = await runInImage(
        e2e.kube,
        ns,
        'check-credprobe',
        `${spec.status!.image!}@${spec.status!.digest!}`,
        "python3 -c 'import imagespec_credential_probe as p, pathlib; print(pathlib.Path(p.__file__).with_name(\"report.txt\").read_text())'",
        e2e.node.pushCredentials,
      );
      assert.equal(check.phase, 'Succeeded', check.logs);
      const scanned = /scanned (\d+) files and (\d+) processes under \/: no registry credentials found/.exec(check.logs);
      assert.ok(scanned, `the probe's report: ${check.logs}`);
      assert.ok(Number(scanned[1]) > 1000, `the probe searched the whole file system (${scanned[1]} files)`);
    });
  });

  describe('build arguments', () => {
    let index: ProbeIndex;
    before(async () => {
      index = await startProbeIndex([]);
    });
    after(async () => index?.close());

    test('reach the install steps as environment variables, and are not left in the image', async () => {
      // The probe project exists only on the loopback index: pip finds it through the build argument alone.
      const buildArgs = [
        { name: 'PIP_EXTRA_INDEX_URL', value: index.url },
        { name: 'PIP_TRUSTED_HOST', value: '127.0.0.1' },
      ];
      await createImageSpec(e2e.kube, ns, imageSpecObject('buildargs', { baseImage: pythonBase, packages: { pip: [probeProject] }, buildArgs }));
      const spec = await finished(e2e.kube, ns, 'buildargs');
      assert.equal(spec.status?.phase, 'Succeeded', describeFailure(spec));
      assert.ok(index.downloads() >= 1, 'pip fetched the probe from the index the build argument named');
      const job = await getJob(e2e.kube, ns, spec.status!.jobName!);
      assert.deepEqual(job.spec.buildArgs, buildArgs, 'the job is a full snapshot of the build inputs');

      const check = await runInImage(
        e2e.kube,
        ns,
        'check-buildargs',
        `${spec.status!.image!}@${spec.status!.digest!}`,
        `pip show ${probeProject} | grep '^Name:'; echo "extra index: [\${PIP_EXTRA_INDEX_URL:-}]"`,
        e2e.node.pushCredentials,
      );
      assert.equal(check.phase, 'Succeeded', check.logs);
      // pip shows the name as the sdist's metadata has it: with "_" for "-".
      assert.match(check.logs, new RegExp(`Name: ${probeProject.replaceAll('-', '[-_]')}\n`));
      assert.match(check.logs, /extra index: \[\]/);
    });
  });

  test('after the builds, the registry credential is in no object of the namespace and no log of the cluster', async () => {
    const findings = await credentialFindings(e2e.kube, e2e.node.pushCredentials, [ns]);
    assert.deepEqual(findings, []);
  });
});
