// Health, readiness and metrics of the real controller against the local cluster: the port file
// and the exec probe, and the build and propagation metrics after builds that the test finishes
// by playing the kubelet.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterUp } from '../cluster/cluster.ts';
import { repoRoot } from '../cluster/paths.ts';
import * as podStatus from './pod-status-writer.ts';
import { setPodStatus } from './pod-status-writer.ts';
import {
  connect,
  createImageSpec,
  getImageSpec,
  imageSpecObject,
  installCrds,
  listJobs,
  listPods,
  startController,
  type ControllerProcess,
  type Kube,
} from './harness.ts';
import { createNamespace, deleteNamespaces, uniqueNamespaceName } from '../namespaces.ts';
import { waitFor } from '../wait.ts';

const base = { baseImage: '127.0.0.1:5001/base/debian:bookworm', packages: { pip: ['requests==2.32.3'] } };

let kube: Kube;
let controller: ControllerProcess;
let namespace: string;
let stateDir: string;
let portFile: string;

/** Parses the Prometheus text format into `name{sorted labels}` -> value. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = [...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}=${v}`).sort();
    samples.set(`${match[1]}{${labels.join(',')}}`, Number(match[3]));
  }
  return samples;
}

async function get(path: string): Promise<{ status: number; body: string }> {
  const port = Number(readFileSync(portFile, 'utf8').trim());
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

async function metrics(): Promise<Map<string, number>> {
  return parseMetrics((await get('/metrics')).body);
}

function probe(path: string, file = portFile): Promise<number> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(repoRoot, 'controllers', 'probe.ts'), path], { env: { PATH: process.env.PATH ?? '', IMAGESPEC_ENV_FILE: '/dev/null', IMAGESPEC_HTTP_PORT_FILE: file } }, (error) =>
      resolve(error ? Number(error.code ?? 1) : 0),
    );
  });
}

async function finishBuild(name: string, status: () => import('@kubernetes/client-node').V1PodStatus, phase: string): Promise<void> {
  await createImageSpec(kube, namespace, imageSpecObject(name, base));
  const job = await waitFor(`the ImageSpecJob of ${name}`, async () => (await listJobs(kube, namespace)).find((j) => j.spec.imageSpecName === name));
  const pod = await waitFor(`the Pod of ${job.metadata.name}`, async () =>
    (await listPods(kube, namespace)).find((p) => p.metadata?.labels?.['imagespec.dev/imagespecjob'] === job.metadata.name),
  );
  await setPodStatus(kube, namespace, pod.metadata!.name!, status());
  await waitFor(`ImageSpec ${name} ${phase}`, async () => (await getImageSpec(kube, namespace, name)).status?.phase === phase);
}

before(async () => {
  const { kubeconfig } = await clusterUp({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) });
  kube = connect(kubeconfig);
  await installCrds(kube);
  namespace = await createNamespace(kube, uniqueNamespaceName('http'));
  stateDir = mkdtempSync(join(tmpdir(), 'imagespec-http-it-'));
  portFile = join(stateDir, 'http-port');
  controller = startController(
    kubeconfig,
    {
      IMAGESPEC_REGISTRY_ENDPOINT: '127.0.0.1:5000',
      IMAGESPEC_REGISTRY_INSECURE: 'true',
      IMAGESPEC_BUILD_NODE_SELECTOR: 'imagespec.dev/integration=no-such-node',
      IMAGESPEC_NAMESPACES: namespace,
      IMAGESPEC_HTTP_PORT: '0',
      IMAGESPEC_HTTP_PORT_FILE: portFile,
    },
    'http',
  );
});

after(async () => {
  await controller?.stop();
  await deleteNamespaces(kube, [namespace]);
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

test('the controller writes its port, becomes ready and live, and the exec probe agrees', async () => {
  await waitFor('/readyz to answer 200', async () => (await get('/readyz')).status === 200);
  assert.deepEqual(await get('/healthz'), { status: 200, body: 'ok\n' });
  assert.equal((await get('/nowhere')).status, 404);
  assert.equal(await probe('/readyz'), 0);
  assert.equal(await probe('/healthz'), 0);
});

test('finished builds are counted once with their reason, and their propagation is measured', async () => {
  await waitFor('/readyz to answer 200', async () => (await get('/readyz')).status === 200);
  await finishBuild('good', () => podStatus.succeeded(`sha256:${'b'.repeat(64)}`), 'Succeeded');
  await finishBuild('bad', () => podStatus.buildStepFailed('PipInstallFailed', 'ERROR: No matching distribution found for nope'), 'Failed');

  const samples = await waitFor('both propagations in /metrics', async () => {
    const current = await metrics();
    return current.get('imagespec_status_propagation_seconds_count{}') === 2 ? current : undefined;
  });
  assert.equal(samples.get('imagespec_builds_total{reason=Succeeded,result=Succeeded}'), 1);
  assert.equal(samples.get('imagespec_builds_total{reason=PipInstallFailed,result=Failed}'), 1);
  assert.equal(samples.get('imagespec_build_duration_seconds_count{result=Succeeded}'), 1);
  for (const name of ['imagespec', 'imagespecjob']) {
    assert.ok((samples.get(`controller_runtime_reconcile_total{controller=${name},result=success}`) ?? 0) > 0, `${name} reconciles`);
    assert.equal(samples.get(`controller_runtime_max_concurrent_reconciles{controller=${name}}`), 4);
    assert.ok((samples.get(`workqueue_adds_total{name=${name}}`) ?? 0) > 0, `${name} queue adds`);
  }
  assert.ok(samples.has('process_resident_memory_bytes{}'), 'process metrics are served');
});

test('before its caches have synced the controller is live but not ready, and the probe says so', async () => {
  // An API server that refuses every connection: the informers can never list.
  const dir = mkdtempSync(join(tmpdir(), 'imagespec-http-unsynced-'));
  const unreachable = join(dir, 'kubeconfig');
  writeFileSync(
    unreachable,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: down, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]',
      'users: [{name: nobody, user: {token: none}}]',
      'contexts: [{name: down, context: {cluster: down, user: nobody}}]',
      'current-context: down',
      '',
    ].join('\n'),
  );
  const unsyncedPortFile = join(dir, 'http-port');
  const unsynced = startController(unreachable, { IMAGESPEC_HTTP_PORT: '0', IMAGESPEC_HTTP_PORT_FILE: unsyncedPortFile }, 'http-unsynced');
  try {
    const port = await waitFor('the port file', async () => {
      try {
        return Number(readFileSync(unsyncedPortFile, 'utf8').trim()) || undefined;
      } catch {
        return undefined;
      }
    });
    const status = async (path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).status;
    assert.equal(await status('/readyz'), 503);
    assert.equal(await status('/healthz'), 200);
    assert.notEqual(await probe('/readyz', unsyncedPortFile), 0, 'the readiness probe fails');
  } finally {
    await unsynced.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
