import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideImageSpec, type ImageSpecObservation } from './decide.ts';
import { ANNOTATION_CANCEL, type ImageSpec, type ImageSpecJob, type JobPhase } from '../../api/types.ts';
import { computeRevision, shortRevision } from '../../api/revision.ts';

const registry = { endpoint: 'registry.test', repoPrefix: 'registry.test/team', insecure: false };

function imageSpec(overrides: Partial<ImageSpec['spec']> = {}, status?: ImageSpec['status']): ImageSpec {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'uid-1', generation: 3 },
    spec: { baseImage: 'debian:bookworm', packages: { apt: ['curl'], pip: ['requests==2.32.3'] }, ...overrides },
    ...(status ? { status } : {}),
  };
}

function observe(spec: ImageSpec, jobs: ImageSpecJob[] = [], extra: Partial<ImageSpecObservation> = {}): ImageSpecObservation {
  return {
    imageSpec: spec,
    problems: [],
    envRefused: [],
    revision: extra.revision ?? computeRevision(spec.spec),
    packages: { apt: spec.spec.packages?.apt ?? [], pip: spec.spec.packages?.pip ?? [], conda: spec.spec.packages?.conda ?? [] },
    registry,
    pullSecretMissing: false,
    jobs,
    historySucceeded: 2,
    historyFailed: 1,
    now: '2026-11-23T10:00:00Z',
    ...extra,
  };
}

let counter = 0;
function job(revision: string, phase?: JobPhase, extra: Partial<ImageSpecJob['status']> = {}): ImageSpecJob {
  counter += 1;
  return {
    metadata: { name: `web-${shortRevision(revision)}`, namespace: 'ns', creationTimestamp: `2026-11-23T09:${String(counter).padStart(2, '0')}:00Z` },
    spec: {
      imageSpecName: 'web',
      revision,
      baseImage: 'debian:bookworm',
      packages: { apt: [], pip: [], conda: [] },
      targetImage: `registry.test/team/ns/web:${shortRevision(revision)}`,
    },
    ...(phase ? { status: { phase, ...extra } } : {}),
  };
}

test('a new ImageSpec gets one ImageSpecJob with a full snapshot, owner and labels', () => {
  const spec = imageSpec();
  const decision = decideImageSpec(observe(spec));
  const created = decision.createJob!;
  const revision = computeRevision(spec.spec);
  assert.equal(created.metadata.name, `web-${shortRevision(revision)}`);
  assert.equal(created.spec.revision, revision);
  assert.equal(created.spec.targetImage, `registry.test/team/ns/web:${shortRevision(revision)}`);
  assert.deepEqual(created.spec.packages, { apt: ['curl'], pip: ['requests==2.32.3'], conda: [] });
  assert.equal(created.metadata.ownerReferences?.[0]?.uid, 'uid-1');
  assert.equal(created.metadata.ownerReferences?.[0]?.controller, true);
  assert.equal(created.metadata.labels?.['imagespec.dev/imagespec'], 'web');
  assert.deepEqual(decision.status, {}, 'nothing to write until the job reports');
});

test('the status waits for the new job\'s first report, then shows it: one write for Pending', () => {
  const spec = imageSpec({}, { phase: 'Succeeded', revision: 'f'.repeat(64), image: 'registry.test/team/ns/web:ffff', observedGeneration: 2 });
  const revision = computeRevision(spec.spec);
  assert.deepEqual(decideImageSpec(observe(spec, [job(revision)])).status, spec.status, 'a job without status changes nothing yet');
  const decision = decideImageSpec(observe(spec, [job(revision, 'Pending', { message: 'The build Pod is starting' })]));
  assert.equal(decision.status.phase, 'Pending');
  assert.equal(decision.status.revision, revision);
  assert.equal(decision.status.observedGeneration, 3);
  assert.equal(decision.status.conditions?.[0]?.status, 'Unknown');
  assert.equal(decision.status.image, 'registry.test/team/ns/web:ffff', 'the last good image stays');
});

test('an existing job for the revision is not created again and its phase flows up', () => {
  const spec = imageSpec();
  const revision = computeRevision(spec.spec);
  const current = job(revision, 'Succeeded', { image: 'registry.test/team/web:x', digest: 'sha256:abc', completionTime: '2026-11-23T09:59:00Z' });
  const decision = decideImageSpec(observe(spec, [current]));
  assert.equal(decision.createJob, undefined);
  assert.equal(decision.status.phase, 'Succeeded');
  assert.equal(decision.status.image, 'registry.test/team/web:x');
  assert.equal(decision.status.digest, 'sha256:abc');
  assert.equal(decision.status.conditions?.[0]?.status, 'True');
});

test('a failure reason and message reach the Ready condition', () => {
  const spec = imageSpec();
  const current = job(computeRevision(spec.spec), 'Failed', { reason: 'AptInstallFailed', message: 'E: Unable to locate package nope' });
  const decision = decideImageSpec(observe(spec, [current]));
  assert.equal(decision.status.phase, 'Failed');
  assert.equal(decision.status.conditions?.[0]?.reason, 'AptInstallFailed');
  assert.match(decision.status.message ?? '', /Unable to locate/);
});

test('a new revision cancels a running older one and keeps the last good image', () => {
  const spec = imageSpec({ packages: { apt: ['curl', 'git'] } });
  const old = job('a'.repeat(64), 'Succeeded', { image: 'registry.test/team/web:aaaa', digest: 'sha256:old', completionTime: '2026-11-23T09:00:00Z' });
  const running = job('b'.repeat(64), 'Building');
  const decision = decideImageSpec(observe(spec, [old, running]));
  assert.ok(decision.createJob);
  assert.deepEqual(decision.cancel.map((c) => c.job.metadata.name), [running.metadata.name]);
  assert.match(decision.cancel[0]!.message, new RegExp(shortRevision(computeRevision(spec.spec))));
  const reported = decideImageSpec(observe(spec, [old, running, job(computeRevision(spec.spec), 'Pending')]));
  assert.equal(reported.status.image, 'registry.test/team/web:aaaa');
  assert.equal(reported.status.digest, 'sha256:old');
});

test('a job already asked to cancel is not asked again', () => {
  const spec = imageSpec();
  const running = job('b'.repeat(64), 'Building');
  running.metadata.annotations = { [ANNOTATION_CANCEL]: 'Superseded' };
  assert.equal(decideImageSpec(observe(spec, [running])).cancel.length, 0);
});

test('history keeps the newest N succeeded and N failed jobs besides the current one', () => {
  const spec = imageSpec();
  const revisions = ['1', '2', '3', '4', '5', '6'].map((d) => d.repeat(64));
  const jobs = [
    job(revisions[0]!, 'Succeeded'),
    job(revisions[1]!, 'Succeeded'),
    job(revisions[2]!, 'Failed'),
    job(revisions[3]!, 'Succeeded'),
    job(revisions[4]!, 'Cancelled'),
    job(revisions[5]!, 'Failed'),
  ];
  const current = job(computeRevision(spec.spec), 'Building');
  const decision = decideImageSpec(observe(spec, [...jobs, current]));
  const pruned = decision.prune.map((j) => j.spec.revision).sort();
  assert.deepEqual(pruned, [revisions[0], revisions[2], revisions[4]].sort());
});

test('invalid specs are marked with the field path and create nothing', () => {
  const spec = imageSpec();
  const decision = decideImageSpec(observe(spec, [], { problems: [{ path: 'spec.packages.pip[2]', message: 'must match the pip requirement grammar' }] }));
  assert.equal(decision.createJob, undefined);
  assert.equal(decision.status.conditions?.[0]?.reason, 'InvalidSpec');
  assert.match(decision.status.message ?? '', /spec\.packages\.pip\[2\]/);
});

test('missing registry and missing pull Secret have their own reasons', () => {
  const spec = imageSpec({ pullSecret: 'private' });
  const noRegistry = decideImageSpec(observe(spec, [], { registry: undefined }));
  assert.equal(noRegistry.createJob, undefined);
  assert.equal(noRegistry.status.conditions?.[0]?.reason, 'RegistryNotConfigured');
  const noSecret = decideImageSpec(observe(spec, [], { pullSecretMissing: true }));
  assert.equal(noSecret.createJob, undefined);
  assert.equal(noSecret.status.conditions?.[0]?.reason, 'PullSecretNotFound');
  assert.match(noSecret.status.message ?? '', /"private"/);
});

test('a spec.env name the admin does not allow fails the ImageSpec with EnvNotAllowed, keeps its image and creates nothing', () => {
  const spec = imageSpec({ env: [{ name: 'LD_PRELOAD', value: '/x.so' }] }, { image: 'r/web:old', digest: 'sha256:1' });
  const refused = { path: 'spec.env[0].name', message: '"LD_PRELOAD" is not a variable this cluster lets an ImageSpec set' };
  const decision = decideImageSpec(observe(spec, [], { envRefused: [refused] }));
  assert.equal(decision.createJob, undefined);
  assert.equal(decision.status.phase, 'Failed');
  assert.equal(decision.status.conditions?.[0]?.reason, 'EnvNotAllowed');
  assert.match(decision.status.message ?? '', /^spec\.env\[0\]\.name: "LD_PRELOAD" is not a variable/);
  assert.equal(decision.status.image, 'r/web:old');
});

test('spec.output: the job pushes there, tagged with the revision, with no admin registry needed', () => {
  const spec = imageSpec({ output: { image: '127.0.0.1:5002/team/web' } });
  const decision = decideImageSpec(observe(spec, [], { registry: undefined }));
  assert.equal(decision.createJob?.spec.targetImage, `127.0.0.1:5002/team/web:${computeRevision(spec.spec).slice(0, 12)}`);
  assert.notEqual(computeRevision(spec.spec), computeRevision(imageSpec().spec), 'where the image goes is part of the revision');
  assert.equal(computeRevision(imageSpec({ output: { image: '127.0.0.1:5002/team/web', pushSecret: 'other' } }).spec), computeRevision(spec.spec), 'its credential is not');
});

test('an output the admin does not allow fails OutputNotAllowed; a missing push Secret waits as PushSecretNotFound', () => {
  const spec = imageSpec({ output: { image: '127.0.0.1:5002/other/web', pushSecret: 'push' } });
  const refused = decideImageSpec(observe(spec, [], { outputRefused: [{ path: 'spec.output.image', message: 'is outside' }] }));
  assert.equal(refused.createJob, undefined);
  assert.equal(refused.status.phase, 'Failed');
  assert.equal(refused.status.conditions?.[0]?.reason, 'OutputNotAllowed');
  const missing = decideImageSpec(observe(spec, [], { pushSecretMissing: true }));
  assert.equal(missing.createJob, undefined);
  assert.equal(missing.status.conditions?.[0]?.reason, 'PushSecretNotFound');
  assert.match(missing.status.message ?? '', /Secret "push" \(spec\.output\.pushSecret\) was not found in namespace ns/);
});

test('spec.env reaches the job as given, without changing the revision', () => {
  const env = [{ name: 'HTTP_PROXY', value: 'http://127.0.0.1:3128' }];
  const spec = imageSpec({ env });
  assert.equal(computeRevision(spec.spec), computeRevision(imageSpec().spec));
  assert.deepEqual(decideImageSpec(observe(spec)).createJob?.spec.env, env);
  assert.equal(decideImageSpec(observe(imageSpec())).createJob?.spec.env, undefined);
});

test('deciding twice on the same observation gives the same status (nothing to write at rest)', () => {
  const spec = imageSpec();
  const current = job(computeRevision(spec.spec), 'Building', { podName: 'web-x-build' });
  const first = decideImageSpec(observe(spec, [current]));
  const second = decideImageSpec(observe({ ...spec, status: first.status }, [current], { now: '2026-11-23T11:00:00Z' }));
  assert.deepEqual(second.status, first.status);
});

test('an InvalidSpec message stays bounded however many problems there are', () => {
  const problems = Array.from({ length: 2000 }, (_, i) => ({ path: `spec.packages.pip[${i}]`, message: 'must match the pip requirement grammar' }));
  const decision = decideImageSpec(observe(imageSpec(), [], { problems }));
  assert.ok((decision.status.message ?? '').length <= 4096);
  assert.match(decision.status.message ?? '', /^spec\.packages\.pip\[0\]/);
});

// Events: each transition tells its event once; a reconcile that changes nothing tells nothing.

/** Decides, then decides again on the status just written: the second must tell nothing. */
function decideTwice(spec: ImageSpec, jobs: ImageSpecJob[], extra: Partial<ImageSpecObservation> = {}) {
  const first = decideImageSpec(observe(spec, jobs, extra));
  const again = decideImageSpec(observe({ ...spec, status: first.status }, jobs, { ...extra, now: '2026-11-23T11:00:00Z' }));
  assert.deepEqual(again.statusEvents, [], 'a no-op reconcile records nothing');
  return { first, settled: { ...spec, status: first.status } };
}

test('a new revision tells RevisionCreated with the job and the short revision, and nothing about Pending', () => {
  const spec = imageSpec();
  const short = shortRevision(computeRevision(spec.spec));
  const decision = decideImageSpec(observe(spec));
  assert.deepEqual(decision.createdEvent, {
    type: 'Normal',
    reason: 'RevisionCreated',
    action: 'CreateImageSpecJob',
    note: `Created ImageSpecJob web-${short} for revision ${short}`,
  });
  assert.deepEqual(decision.statusEvents, []);
  const existing = job(computeRevision(spec.spec), 'Pending', { podName: `web-${short}-build` });
  assert.equal(decideImageSpec(observe({ ...spec, status: decision.status }, [existing])).createdEvent, undefined, 'an existing job is not created again');
});

test('Building, then Succeeded, each told once as the job moves', () => {
  const spec = imageSpec();
  const revision = computeRevision(spec.spec);
  const pending = decideTwice(spec, [job(revision, 'Pending', { podName: 'web-x-build' })]);
  assert.deepEqual(pending.first.statusEvents, []);
  const building = decideTwice(pending.settled, [job(revision, 'Building', { podName: 'web-x-build' })]);
  assert.deepEqual(building.first.statusEvents.map((e) => [e.type, e.reason]), [['Normal', 'Building']]);
  assert.match(building.first.statusEvents[0]!.note, /web-x-build/);
  const done = { podName: 'web-x-build', image: 'registry.test/team/web:x', digest: 'sha256:abc', completionTime: '2026-11-23T09:59:00Z' };
  const succeeded = decideTwice(building.settled, [job(revision, 'Succeeded', done)]);
  assert.deepEqual(succeeded.first.statusEvents, [{ type: 'Normal', reason: 'Succeeded', action: 'Build', note: 'Built registry.test/team/web:x@sha256:abc' }]);
});

test('a failure is a Warning with its reason and the first line of its message', () => {
  const spec = imageSpec();
  const failure = { reason: 'AptInstallFailed', message: 'apt-get install failed: E: Unable to locate package nope\nE: more\nSee: kubectl logs x' };
  const { first } = decideTwice(spec, [job(computeRevision(spec.spec), 'Failed', failure)]);
  assert.deepEqual(first.statusEvents, [{ type: 'Warning', reason: 'AptInstallFailed', action: 'Build', note: 'apt-get install failed: E: Unable to locate package nope' }]);
});

test('the same failure of the next revision is told again', () => {
  const spec = imageSpec();
  const failure = { reason: 'AptInstallFailed', message: 'apt-get install failed' };
  const before = decideTwice(spec, [job(computeRevision(spec.spec), 'Failed', failure)]).settled;
  const edited = { ...before, spec: { ...before.spec, packages: { apt: ['curl', 'git'] } } };
  const next = decideImageSpec(observe(edited, [job(computeRevision(edited.spec), 'Failed', failure)]));
  assert.deepEqual(next.statusEvents.map((e) => e.reason), ['AptInstallFailed']);
});

test('cancelling an older running job tells Superseded, naming both jobs', () => {
  const spec = imageSpec({ packages: { apt: ['curl', 'git'] } });
  const running = job('b'.repeat(64), 'Building');
  const decision = decideImageSpec(observe(spec, [running]));
  const event = decision.cancel[0]!.event;
  assert.equal(event.type, 'Normal');
  assert.equal(event.reason, 'Superseded');
  assert.match(event.note, new RegExp(`^Cancelled ImageSpecJob ${running.metadata.name}: Superseded by revision ${shortRevision(computeRevision(spec.spec))}`));
});

test('an invalid spec is a Warning naming the fields, told again only when the problems change', () => {
  const spec = imageSpec();
  const problems = [{ path: 'spec.packages.pip[2]', message: 'must match the pip requirement grammar' }];
  const { first, settled } = decideTwice(spec, [], { problems });
  assert.equal(first.statusEvents[0]?.type, 'Warning');
  assert.equal(first.statusEvents[0]?.reason, 'InvalidSpec');
  assert.match(first.statusEvents[0]?.note ?? '', /spec\.packages\.pip\[2\]/);
  const other = decideImageSpec(observe(settled, [], { problems: [{ path: 'spec.baseImage', message: 'must be an image reference' }] }));
  assert.match(other.statusEvents[0]?.note ?? '', /spec\.baseImage/);
});

test('a missing registry or pull Secret is a Warning, told once', () => {
  const spec = imageSpec({ pullSecret: 'private' });
  const noRegistry = decideTwice(spec, [], { registry: undefined }).first;
  assert.deepEqual(noRegistry.statusEvents.map((e) => [e.type, e.reason]), [['Warning', 'RegistryNotConfigured']]);
  const noSecret = decideTwice(spec, [], { pullSecretMissing: true }).first;
  assert.deepEqual(noSecret.statusEvents.map((e) => [e.type, e.reason]), [['Warning', 'PullSecretNotFound']]);
  assert.match(noSecret.statusEvents[0]!.note, /"private"/);
});

test('the target of a job follows the image path setting: namespaced by default, flat when the admin says so', () => {
  const spec = imageSpec();
  const short = shortRevision(computeRevision(spec.spec));
  const flat = decideImageSpec(observe(spec, [], { registry: { ...registry, imagePath: 'flat' } })).createJob!;
  assert.equal(flat.spec.targetImage, `registry.test/team/web:${short}`);
  const single = decideImageSpec(observe(spec, [], { registry: { ...registry, pushRepo: 'registry.test/images' } })).createJob!;
  assert.equal(single.spec.targetImage, `registry.test/images:ns_web-${short}`);
  assert.equal(single.spec.repoPrefix, undefined);
});

test('values quoted in status messages carry no raw control or bidirectional characters', () => {
  const problems = [{ path: 'spec.packages.pip[0]', message: '"numpy\u202egpj.exe\u0085" is not valid: must be a pip requirement' }];
  const invalid = decideImageSpec(observe(imageSpec(), [], { problems }));
  assert.equal(invalid.status.message, 'spec.packages.pip[0]: "numpy\\u202egpj.exe\\u0085" is not valid: must be a pip requirement');
  assert.equal(invalid.status.conditions?.[0]?.message, invalid.status.message);
  const spec = imageSpec();
  const failed = job(computeRevision(spec.spec), 'Failed', { reason: 'PipInstallFailed', message: 'ERROR: no \u2066match\u2069\n\u001b[31mkubectl logs x\u001b[0m' });
  const decision = decideImageSpec(observe(spec, [failed]));
  assert.equal(decision.status.message, 'ERROR: no \\u2066match\\u2069\n\\u001b[31mkubectl logs x\\u001b[0m', 'lines kept, everything else escaped');
});

test('a Dockerfile build: the job snapshots the context digest the revision was computed from, and no baseImage', () => {
  const spec = imageSpec({ build: { context: { configMap: { name: 'app-context' } }, target: 'runtime' } });
  delete spec.spec.baseImage;
  const content = { sha256: 'c'.repeat(64) };
  const revision = computeRevision(spec.spec, content);
  const decision = decideImageSpec(observe(spec, [], { revision, context: { configMap: { name: 'app-context', ...content } } }));
  assert.deepEqual(decision.createJob?.spec.build, { context: { configMap: { name: 'app-context', sha256: 'c'.repeat(64) } }, dockerfile: 'Dockerfile', target: 'runtime' });
  assert.equal(decision.createJob?.spec.baseImage, undefined);
  assert.equal(decision.createJob?.spec.revision, revision);
  assert.notEqual(computeRevision(spec.spec, { sha256: 'd'.repeat(64) }), revision, 'the context\'s content is part of the revision');
});

test('a missing context ConfigMap creates no job and says which one, keeping the last image', () => {
  const spec = imageSpec({ build: { context: { configMap: { name: 'gone' } } } }, { image: 'registry.test/team/ns/web:old', digest: 'sha256:1', revision: 'a'.repeat(64) });
  delete spec.spec.baseImage;
  const decision = decideImageSpec(observe(spec, [], { revision: '', context: { missing: { kind: 'ConfigMap', name: 'gone', field: 'spec.build.context.configMap.name' } } }));
  assert.equal(decision.createJob, undefined);
  assert.equal(decision.status.phase, 'Pending');
  assert.equal(decision.status.image, 'registry.test/team/ns/web:old');
  assert.equal(decision.status.revision, 'a'.repeat(64));
  const ready = decision.status.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.reason, 'ContextNotFound');
  assert.equal(ready?.message, 'ConfigMap "gone" (spec.build.context.configMap.name) was not found in namespace ns');
});

test('a context source the admin turned off fails the ImageSpec with ContextSourceNotAllowed', () => {
  const spec = imageSpec({ build: { context: { configMap: { name: 'ctx' } } } });
  delete spec.spec.baseImage;
  const refusal = { path: 'spec.build.context.configMap', message: 'builds from a configMap context are turned off in this cluster' };
  const decision = decideImageSpec(observe(spec, [], { revision: '', contextRefused: [refusal] }));
  assert.equal(decision.createJob, undefined);
  assert.equal(decision.status.phase, 'Failed');
  assert.equal(decision.status.conditions?.find((c) => c.type === 'Ready')?.reason, 'ContextSourceNotAllowed');
});

test('a Dockerfile build from a claim: the job names the claim and path; a missing claim waits as ContextNotFound', () => {
  const spec = imageSpec({ build: { context: { persistentVolumeClaim: { claimName: 'work', path: 'app' } } } });
  delete spec.spec.baseImage;
  const revision = computeRevision(spec.spec);
  const created = decideImageSpec(observe(spec, [], { revision, context: { persistentVolumeClaim: { claimName: 'work', path: 'app' } } }));
  assert.deepEqual(created.createJob?.spec.build, { context: { persistentVolumeClaim: { claimName: 'work', path: 'app' } }, dockerfile: 'Dockerfile' });
  const missing = { kind: 'PersistentVolumeClaim' as const, name: 'work', field: 'spec.build.context.persistentVolumeClaim.claimName' };
  const waiting = decideImageSpec(observe(spec, [], { revision, context: { missing } }));
  assert.equal(waiting.createJob, undefined);
  assert.equal(waiting.status.conditions?.find((c) => c.type === 'Ready')?.message, 'PersistentVolumeClaim "work" (spec.build.context.persistentVolumeClaim.claimName) was not found in namespace ns');
});
