// End-to-end: the product installed as an admin installs it. The controller's image built here, the
// chart installed with helm and the node's .env, two replicas running as Pods on the local node under
// the chart's ServiceAccount and RBAC, real builds through them, leadership handed over by force and
// gracefully, metrics and Events checked against what happened.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoordinationV1Api, type V1Lease, type V1Pod } from '@kubernetes/client-node';
import { LABEL_JOB, type ImageSpec } from '../../api/types.ts';
import { repoRoot } from '../cluster/paths.ts';
import { runHelm } from '../helm/run.ts';
import { createImageSpec, imageSpecObject, listJobs, listPods, patchImageSpec } from '../integration/harness.ts';
import { ensureControllerImage } from '../node/images/controller-image.ts';
import {
  BUILD_POLL_MS,
  type E2e,
  finished,
  kubectl,
  namespaceName,
  readyCondition,
  seconds,
  startE2e,
} from './harness.ts';
import { createNamespace, deleteNamespaces } from '../namespaces.ts';
import { waitFor } from '../wait.ts';
import { credentialFindings } from './credential-scan.ts';

const log = (line: string) => process.stderr.write(`[e2e] ${line}\n`);
const debianBase = '127.0.0.1:5001/base/debian:bookworm';
// Named like the chart, so the release's objects are named 'imagespec-controller' (Helm's convention).
const release = 'imagespec-controller';
const leaseName = release;
// The chart's default (client-go's): a standby takes over a lease no one renews after this long.
const leaseDurationSeconds = 15;

const ns = { system: namespaceName('system'), tenant: namespaceName('tenant'), other: namespaceName('other') };
let e2e: E2e;
let workDir: string;
let serviceAccount: string;

function controllerPods(): Promise<V1Pod[]> {
  return listPods(e2e.kube, ns.system);
}

async function lease(): Promise<V1Lease | undefined> {
  const api = e2e.kube.kubeConfig.makeApiClient(CoordinationV1Api);
  return api.readNamespacedLease({ name: leaseName, namespace: ns.system }).catch(() => undefined);
}

/** The Pod named by the Lease's holder (identities are "<pod name>_<random>"). */
async function leaderPod(): Promise<string | undefined> {
  const holder = (await lease())?.spec?.holderIdentity;
  if (!holder) return undefined;
  return (await controllerPods()).map((pod) => pod.metadata!.name!).find((name) => holder.startsWith(`${name}_`));
}

function ready(pod: V1Pod): boolean {
  return !pod.metadata?.deletionTimestamp && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The port a hostNetwork replica's HTTP server bound, from its own log line. */
function httpPortOf(pod: string): number {
  const line = kubectl(e2e, ['logs', '-n', ns.system, pod])
    .split('\n')
    .find((l) => l.includes('"Serving health and metrics"'));
  if (!line) throw new Error(`no "Serving health and metrics" line in the logs of ${pod}`);
  return (JSON.parse(line) as { port: number }).port;
}

function canI(verb: string, resource: string, namespace?: string): boolean {
  const args = ['auth', 'can-i', verb, resource, `--as=${serviceAccount}`, ...(namespace ? ['-n', namespace] : ['--all-namespaces'])];
  try {
    return kubectl(e2e, args).trim() === 'yes';
  } catch (error) {
    // kubectl exits 1 for "no".
    const out = (error as { stdout?: string }).stdout ?? '';
    if (out.trim() === 'no') return false;
    throw error;
  }
}

async function metricValue(port: number, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** Exactly one ImageSpecJob per revision and at most one build Pod per job, in the tenant namespace. */
async function assertNoDuplicates(): Promise<void> {
  const jobs = await listJobs(e2e.kube, ns.tenant);
  const revisions = jobs.map((job) => `${job.spec.imageSpecName}@${job.spec.revision}`);
  assert.equal(new Set(revisions).size, revisions.length, `one job per revision: ${revisions.join(', ')}`);
  const pods = (await listPods(e2e.kube, ns.tenant)).map((pod) => pod.metadata?.labels?.[LABEL_JOB]);
  assert.ok(pods.every(Boolean), 'every build Pod names its job');
  assert.equal(new Set(pods).size, pods.length, `one Pod per job: ${pods.join(', ')}`);
}

describe('the controller installed with its chart, running in the cluster', () => {
  before(async () => {
    e2e = await startE2e();
    const image = await ensureControllerImage(log);
    for (const name of Object.values(ns)) await createNamespace(e2e.kube, name);
    serviceAccount = `system:serviceaccount:${ns.system}:${release}`;
    const server = new URL(e2e.kube.kubeConfig.getCurrentCluster()!.server);
    workDir = mkdtempSync(join(tmpdir(), 'imagespec-chart-'));
    const [repository, tag] = [image.slice(0, image.lastIndexOf(':')), image.slice(image.lastIndexOf(':') + 1)];
    const values = {
      image: { repository, tag, pullPolicy: 'IfNotPresent' },
      watchNamespaces: [ns.tenant],
      // The local node gives Pods only a loopback interface: the controller uses the node's network
      // and reaches the API server on the host's loopback address.
      hostNetwork: true,
      extraEnv: [
        { name: 'KUBERNETES_SERVICE_HOST', value: server.hostname },
        { name: 'KUBERNETES_SERVICE_PORT', value: server.port || '443' },
        // Two replicas and several builds share two cores.
        { name: 'IMAGESPEC_BUILD_CPU_REQUEST', value: '100m' },
      ],
    };
    const valuesFile = join(workDir, 'values.json');
    writeFileSync(valuesFile, JSON.stringify(values));
    const started = Date.now();
    const result = await runHelm(
      ['install', release, join(repoRoot, 'charts', 'imagespec-controller'), '-n', ns.system, '-f', valuesFile,
        '--set-file', `dotenv=${e2e.node.controllerEnv}`, '--wait', '--timeout', '5m'],
      { env: { KUBECONFIG: e2e.kubeconfig }, log },
    );
    assert.equal(result.code, 0, `helm install failed:\n${result.stdout}\n${result.stderr}`);
    log(`helm install with the controller image ${image} ready in ${seconds(Date.now() - started)} s`);
  });

  after(async () => {
    if (e2e) {
      await runHelm(['uninstall', release, '-n', ns.system, '--wait'], { env: { KUBECONFIG: e2e.kubeconfig } }).catch(() => undefined);
      await deleteNamespaces(e2e.kube, Object.values(ns));
    }
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test('two replicas run on the node under the chart\'s ServiceAccount; one holds the Lease', async () => {
    const pods = await controllerPods();
    assert.equal(pods.length, 2);
    for (const pod of pods) {
      assert.ok(ready(pod), `${pod.metadata?.name} is Ready`);
      assert.equal(pod.spec?.serviceAccountName, release);
      assert.equal(pod.spec?.securityContext?.runAsNonRoot, true);
      assert.equal(pod.spec?.containers[0]?.securityContext?.readOnlyRootFilesystem, true);
    }
    const leader = await waitFor('a leader', leaderPod, 60_000, BUILD_POLL_MS);
    log(`leader: ${leader}`);
    const env = JSON.stringify(pods[0]!.spec);
    assert.ok(!env.includes(e2e.node.pushCredentials.password), 'the registry password is nowhere in the Pod spec');
  });

  test('the ServiceAccount can do what the controller needs in watched namespaces, and nothing elsewhere', () => {
    assert.ok(canI('create', 'pods', ns.tenant));
    assert.ok(canI('watch', 'imagespecs.imagespec.dev', ns.tenant));
    assert.ok(canI('update', `leases.coordination.k8s.io/${leaseName}`, ns.system));
    assert.ok(!canI('update', 'leases.coordination.k8s.io/some-other-lease', ns.system), 'only its own Lease');
    assert.ok(canI('create', 'events.events.k8s.io', ns.tenant));
    for (const namespace of [ns.other, 'default', 'kube-system']) {
      assert.ok(!canI('create', 'pods', namespace), `no Pods in ${namespace}`);
      assert.ok(!canI('get', 'secrets', namespace), `no Secrets in ${namespace}`);
      assert.ok(!canI('list', 'imagespecs.imagespec.dev', namespace), `no ImageSpecs in ${namespace}`);
    }
    assert.ok(!canI('list', 'secrets'), 'no Secrets across namespaces');
    assert.ok(!canI('create', 'pods'), 'no Pods across namespaces');
    assert.ok(!canI('update', 'leases.coordination.k8s.io', 'kube-system'));
    // Secrets: read a pull Secret's metadata in a watched namespace, nothing more.
    assert.ok(canI('get', 'secrets', ns.tenant));
    for (const verb of ['create', 'update', 'patch', 'list', 'delete']) assert.ok(!canI(verb, 'secrets', ns.tenant), `no ${verb} on Secrets`);
    assert.ok(canI('create', 'tokenreviews.authentication.k8s.io'), 'who an upload token belongs to');
    assert.ok(canI('watch', 'nodes'), 'whether a build\'s node still answers');
    assert.ok(!canI('update', 'nodes') && !canI('get', 'nodes/proxy'), 'Nodes read only');
  });

  let succeeded: ImageSpec;
  let failed: ImageSpec;
  test('a real build succeeds and a bad one fails, reconciled by the Pod', async () => {
    await createImageSpec(e2e.kube, ns.tenant, imageSpecObject('through-chart', { baseImage: debianBase, packages: { apt: ['jq'] } }));
    await createImageSpec(e2e.kube, ns.tenant, imageSpecObject('bad-apt', { baseImage: debianBase, packages: { apt: ['imagespec-e2e-no-such-package'] } }));
    [succeeded, failed] = await Promise.all([finished(e2e.kube, ns.tenant, 'through-chart'), finished(e2e.kube, ns.tenant, 'bad-apt')]);
    assert.equal(succeeded.status?.phase, 'Succeeded', readyCondition(succeeded)?.message ?? '');
    assert.match(succeeded.status?.image ?? '', new RegExp(`^${e2e.node.repoPrefix.replaceAll('.', '\\.')}/${ns.tenant}/through-chart:[0-9a-f]{12}$`));
    assert.equal(failed.status?.phase, 'Failed');
    assert.equal(readyCondition(failed)?.reason, 'AptInstallFailed');
  });

  test('kubectl describe shows the failure as a Warning Event, and a success writes no Event (IMAGESPEC_EVENTS=warnings)', async () => {
    const bad = await waitFor('Events on the failed ImageSpec', async () => {
      const text = kubectl(e2e, ['describe', 'imagespec', '-n', ns.tenant, 'bad-apt']);
      return /Warning\s+AptInstallFailed/.test(text) ? text : undefined;
    }, 60_000, BUILD_POLL_MS);
    assert.match(bad, /imagespec\.dev\/controller/);
    assert.doesNotMatch(bad.slice(bad.indexOf('Events:')), /Normal\s+RevisionCreated/, 'Normal Events are not recorded by default');
    const ok = kubectl(e2e, ['describe', 'imagespec', '-n', ns.tenant, 'through-chart']);
    assert.match(ok.slice(ok.indexOf('Events:')), /Events:\s+<none>/, 'a successful build writes no Event by default');
  });

  test('/metrics of the leader counts the builds that happened; both replicas are ready', async () => {
    const leader = (await leaderPod())!;
    const port = httpPortOf(leader);
    assert.equal(await metricValue(port, 'imagespec_builds_total', { result: 'Succeeded' }), 1);
    assert.equal(await metricValue(port, 'imagespec_builds_total', { result: 'Failed', reason: 'AptInstallFailed' }), 1);
    assert.equal(await metricValue(port, 'leader_election_master_status', { name: leaseName }), 1);
    for (const pod of await controllerPods()) {
      const response = await fetch(`http://127.0.0.1:${httpPortOf(pod.metadata!.name!)}/readyz`);
      assert.equal(response.status, 200, `${pod.metadata?.name} /readyz`);
    }
  });

  /** The leader's node process (the local node runs containers as host processes), by its POD_NAME. */
  function leaderProcess(pod: string): number {
    for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
      try {
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (environ.includes(`POD_NAME=${pod}`) && cmdline.includes('dist/main.js')) return Number(pid);
      } catch {
        // gone, or not ours to read
      }
    }
    throw new Error(`no controller process of ${pod} on this node`);
  }

  /**
   * Ends the leader (SIGKILL of its process, forced deletion of its Pod, or a graceful deletion) and
   * measures until another candidate (a new holder identity) holds the Lease.
   */
  async function handOver(how: 'sigkill' | 'force' | 'graceful'): Promise<number> {
    const pod = await waitFor('a leader', leaderPod, 60_000, BUILD_POLL_MS);
    const holder = (await lease())!.spec!.holderIdentity!;
    const started = Date.now();
    if (how === 'sigkill') process.kill(leaderProcess(pod), 'SIGKILL');
    else {
      const args = ['delete', 'pod', '-n', ns.system, pod, '--wait=false'];
      kubectl(e2e, how === 'force' ? [...args, '--grace-period=0', '--force'] : args);
    }
    const next = await waitFor('another candidate to lead', async () => {
      const current = (await lease())?.spec?.holderIdentity;
      return current && current !== holder ? current : undefined;
    }, 120_000, BUILD_POLL_MS);
    const ms = Date.now() - started;
    log(`${how} hand-over from ${holder} to ${next}: ${seconds(ms)} s`);
    return ms;
  }

  test('the leader killed mid-build: another replica leads within the lease duration, builds finish, nothing doubles', async () => {
    const names = ['failover-a', 'failover-b', 'failover-c'];
    for (const name of names) await createImageSpec(e2e.kube, ns.tenant, imageSpecObject(name, { baseImage: debianBase, packages: { apt: ['jq'] } }));
    await waitFor('the builds to start', async () => ((await listPods(e2e.kube, ns.tenant)).length >= 2 + names.length ? true : undefined), 120_000, BUILD_POLL_MS);
    // An edit that supersedes a running build, decided by whichever replica leads next.
    await patchImageSpec(e2e.kube, ns.tenant, names[0]!, { spec: { packages: { apt: ['jq', 'less'] } } });
    // A process killed outright releases nothing: the standby waits out the Lease from when it last
    // saw it renewed, checking every retry period (each try's own API calls add to the period on a
    // busy machine). Bounded by twice the lease duration: late, but never stuck.
    const killed = await handOver('sigkill');
    assert.ok(killed <= 2 * leaseDurationSeconds * 1000, `hand-over after SIGKILL took ${seconds(killed)} s`);
    // A forced deletion still sends the container SIGTERM: the Lease is released.
    await waitFor('two ready replicas', async () => ((await controllerPods()).filter(ready).length === 2 ? true : undefined), 180_000, BUILD_POLL_MS);
    const forced = await handOver('force');
    assert.ok(forced <= 2 * leaseDurationSeconds * 1000, `hand-over after forced deletion took ${seconds(forced)} s`);
    const results = await Promise.all(names.map((name) => finished(e2e.kube, ns.tenant, name)));
    for (const spec of results) assert.equal(spec.status?.phase, 'Succeeded', `${spec.metadata.name}: ${readyCondition(spec)?.message}`);
    assert.deepEqual(results[0]!.spec.packages?.apt, ['jq', 'less']);
    await assertNoDuplicates();
  });

  test('a graceful stop releases the Lease: the other replica leads at once', async () => {
    await waitFor('two ready replicas', async () => ((await controllerPods()).filter(ready).length === 2 ? true : undefined), 180_000, BUILD_POLL_MS);
    const ms = await handOver('graceful');
    // Released on SIGTERM, taken by the standby at its next retry.
    assert.ok(ms < leaseDurationSeconds * 1000, `graceful hand-over took ${seconds(ms)} s, as long as a lost leader`);
    await createImageSpec(e2e.kube, ns.tenant, imageSpecObject('after-handover', { baseImage: debianBase, packages: { apt: ['jq'] } }));
    const spec = await finished(e2e.kube, ns.tenant, 'after-handover');
    assert.equal(spec.status?.phase, 'Succeeded', readyCondition(spec)?.message ?? '');
    await assertNoDuplicates();
  });

  test('the registry credential is in no object of the tenant namespaces and no log of the cluster', async () => {
    assert.deepEqual(await credentialFindings(e2e.kube, e2e.node.pushCredentials, [ns.tenant, ns.other]), []);
  });

  test('helm uninstall leaves nothing of the controller but the CRDs', async () => {
    const result = await runHelm(['uninstall', release, '-n', ns.system, '--wait'], { env: { KUBECONFIG: e2e.kubeconfig } });
    assert.equal(result.code, 0, result.stderr);
    await waitFor('the controller Pods to go', async () => ((await controllerPods()).length === 0 ? true : undefined), 120_000, BUILD_POLL_MS);
    const crds = kubectl(e2e, ['get', 'crd', '-o', 'name']);
    assert.match(crds, /imagespecs\.imagespec\.dev/);
  });
});
