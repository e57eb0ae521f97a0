// Events against the real API server: what the recorder writes is accepted as it is, appears
// under its object in `kubectl describe`, and a repeated event becomes one Event with a series.
// The last part runs the real controller and reads the story of one build from `describe`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EventsV1Api, type EventsV1Event } from '@kubernetes/client-node';
import { API_VERSION, IMAGESPEC_KIND, type ImageSpec } from '../../api/types.ts';
import { shortRevision, computeRevision } from '../../api/revision.ts';
import { eventSubject, NOTE_MAX_BYTES, type EventSubject } from '../../controllers/runtime/eventbody.ts';
import { createEventRecorder, type EventRecorder } from '../../controllers/runtime/events.ts';
import { createLogger } from '../../controllers/runtime/logger.ts';
import { clusterUp } from '../cluster/cluster.ts';
import { kubectlPath } from '../cluster/paths.ts';
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

let kube: Kube;
let kubeconfig: string;
let events: EventsV1Api;
let recorder: EventRecorder;
const namespaces: string[] = [];
const controllers: ControllerProcess[] = [];

const base = { baseImage: '127.0.0.1:5001/base/debian:bookworm', packages: { apt: ['curl'] } };

async function namespace(prefix: string): Promise<string> {
  const ns = await createNamespace(kube, uniqueNamespaceName(prefix));
  namespaces.push(ns);
  return ns;
}

async function kubectl(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(kubectlPath(), args, { env: { ...process.env, KUBECONFIG: kubeconfig }, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** The rows of the Events table `kubectl describe` prints for one object. */
async function describedEvents(resource: string, ns: string, name: string): Promise<string[]> {
  const out = await kubectl(['describe', resource, name, '-n', ns]);
  const start = out.indexOf('\nEvents:');
  // '', 'Events:', the header, its underline, then one row per Event.
  return start < 0 ? [] : out.slice(start).split('\n').slice(4).filter((line) => line.trim().length > 0);
}

/** Waits until `describe` shows a row for each reason, and returns the rows. */
async function describedWith(resource: string, ns: string, name: string, reasons: string[], timeoutMs = 30_000): Promise<string[]> {
  return waitFor(`kubectl describe ${resource} ${name} to show ${reasons.join(', ')}`, async () => {
    const rows = await describedEvents(resource, ns, name);
    return reasons.every((reason) => rows.some((row) => row.split(/\s+/).includes(reason))) ? rows : undefined;
  }, timeoutMs, 200);
}

function assertRow(rows: string[], pattern: RegExp): void {
  assert.ok(rows.some((r) => pattern.test(r)), `a row matching ${pattern} in:\n${rows.join('\n')}`);
}

async function eventsAbout(ns: string, uid: string): Promise<EventsV1Event[]> {
  return (await events.listNamespacedEvent({ namespace: ns })).items.filter((e) => e.regarding?.uid === uid);
}

async function imageSpecSubject(ns: string, name: string): Promise<EventSubject> {
  const created: ImageSpec = await createImageSpec(kube, ns, imageSpecObject(name, base));
  return eventSubject(API_VERSION, IMAGESPEC_KIND, created.metadata);
}

before(async () => {
  ({ kubeconfig } = await clusterUp({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) }));
  kube = connect(kubeconfig);
  await installCrds(kube);
  events = kube.kubeConfig.makeApiClient(EventsV1Api);
  // A short series interval, so the timer that writes pending counts is what this test sees.
  recorder = createEventRecorder(kube.kubeConfig, createLogger({ level: 'warn', format: 'text' }), { reportingInstance: 'events-integration', seriesIntervalMs: 200 });
});

after(async () => {
  await recorder?.flush();
  for (const controller of controllers) await controller.stop();
  await deleteNamespaces(kube, namespaces);
});

describe('the recorder against the API server', () => {
  test('Events appear under their object in kubectl describe, from imagespec.dev/controller', async () => {
    const ns = await namespace('events');
    const subject = await imageSpecSubject(ns, 'story');
    recorder.record(subject, { type: 'Normal', reason: 'RevisionCreated', action: 'CreateImageSpecJob', note: 'Created ImageSpecJob story-0123456789ab for revision 0123456789ab' });
    recorder.record(subject, { type: 'Normal', reason: 'Building', action: 'Build', note: 'Building revision 0123456789ab in Pod story-0123456789ab-build' });
    // Multi-line and far over the limit: the API server must still accept it.
    const longNote = `apt-get install failed\n${'E: Unable to locate package nope\r\n'.repeat(200)}`;
    recorder.record(subject, { type: 'Warning', reason: 'AptInstallFailed', action: 'Build', note: longNote });
    await recorder.flush();

    const rows = await describedWith('imagespec', ns, 'story', ['RevisionCreated', 'Building', 'AptInstallFailed']);
    assertRow(rows, /^\s*Normal\s+RevisionCreated\s+.*imagespec\.dev\/controller\s+Created ImageSpecJob story-0123456789ab for revision 0123456789ab/);
    assertRow(rows, /^\s*Warning\s+AptInstallFailed\s+.*imagespec\.dev\/controller\s+apt-get install failed E: Unable to locate package nope/);

    const stored = (await eventsAbout(ns, subject.uid)).filter((e) => e.reportingInstance === 'events-integration');
    assert.equal(stored.length, 3);
    for (const event of stored) {
      assert.equal(event.reportingController, 'imagespec.dev/controller');
      assert.equal(event.regarding?.kind, 'ImageSpec');
      assert.equal(event.regarding?.name, 'story');
      assert.ok(Buffer.byteLength(event.note ?? '', 'utf8') <= NOTE_MAX_BYTES);
      assert.doesNotMatch(event.note ?? '', /[\r\n]/);
    }
  });

  test('50 repeats become one Event whose series counts 50', async () => {
    const ns = await namespace('events-series');
    const subject = await imageSpecSubject(ns, 'repeated');
    const repeated = { type: 'Warning' as const, reason: 'PullSecretNotFound', action: 'CreateImageSpecJob', note: 'Secret "private" (spec.pullSecret) was not found' };
    for (let i = 0; i < 50; i += 1) recorder.record(subject, repeated);

    // No flush: the recorder's own timer sends the count that is still pending.
    const stored = await waitFor('one Event with series.count 50', async () => {
      const list = await eventsAbout(ns, subject.uid);
      return list.length === 1 && list[0]?.series?.count === 50 ? list : undefined;
    });
    assert.equal(stored[0]?.reason, 'PullSecretNotFound');
    const rows = await describedWith('imagespec', ns, 'repeated', ['PullSecretNotFound']);
    assert.equal(rows.length, 1, `one row:\n${rows.join('\n')}`);
    assertRow(rows, /^\s*Warning\s+PullSecretNotFound\s+\S+ \(x50 over \S+\)\s+imagespec\.dev\/controller\s+Secret "private"/);
  });
});

describe('the controller tells the story of a build', () => {
  test('describe shows RevisionCreated, Building and Succeeded on the ImageSpec, PodCreated to Succeeded on the job', async () => {
    controllers.push(
      startController(
        kubeconfig,
        {
          IMAGESPEC_REGISTRY_ENDPOINT: '127.0.0.1:5000',
          IMAGESPEC_REGISTRY_USERNAME: 'builder',
          IMAGESPEC_REGISTRY_PASSWORD: 'events-it-password',
          IMAGESPEC_REPO_PREFIX: '127.0.0.1:5000/it',
          IMAGESPEC_REGISTRY_INSECURE: 'true',
          IMAGESPEC_BUILD_NODE_SELECTOR: 'imagespec.dev/integration=no-such-node',
          // Every transition told (the default tells failures only).
          IMAGESPEC_EVENTS: 'all',
        },
        'events',
      ),
    );
    const ns = await namespace('events-story');
    await createImageSpec(kube, ns, imageSpecObject('told', base));
    const short = shortRevision(computeRevision(base));
    const jobName = `told-${short}`;
    const pod = await waitFor(`Pod of ${jobName}`, async () => (await listPods(kube, ns)).find((p) => p.metadata?.labels?.['imagespec.dev/imagespecjob'] === jobName));
    await setPodStatus(kube, ns, pod.metadata!.name!, podStatus.running());
    await waitFor('ImageSpec Building', async () => (await getImageSpec(kube, ns, 'told')).status?.phase === 'Building');
    await setPodStatus(kube, ns, pod.metadata!.name!, podStatus.succeeded(`sha256:${'e'.repeat(64)}`));
    await waitFor('ImageSpec Succeeded', async () => (await getImageSpec(kube, ns, 'told')).status?.phase === 'Succeeded');

    const specRows = await describedWith('imagespec', ns, 'told', ['RevisionCreated', 'Building', 'Succeeded']);
    assertRow(specRows, new RegExp(`Normal\\s+RevisionCreated\\s.*Created ImageSpecJob ${jobName} for revision ${short}`));
    assertRow(specRows, new RegExp(`Normal\\s+Succeeded\\s.*Built 127\\.0\\.0\\.1:5000/it/${ns}/told:${short}@sha256:e{64}`));
    const jobRows = await describedWith('imagespecjob', ns, jobName, ['PodCreated', 'Building', 'Succeeded']);
    assertRow(jobRows, new RegExp(`Normal\\s+PodCreated\\s.*Created build Pod ${pod.metadata!.name}`));
    assert.equal((await listJobs(kube, ns)).length, 1);
    for (const rows of [specRows, jobRows]) {
      assert.ok(rows.every((r) => !/\(x\d+ over/.test(r)), `each transition told once:\n${rows.join('\n')}`);
    }
  });
});
