import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageSpec, ImageSpecJob } from '../../api/types.ts';
import type { RegistryConfig } from '../../config/types.ts';
import { desiredJob, type ImageSpecObservation } from '../imagespec/decide.ts';
import { computeRevision } from '../../api/revision.ts';
import { normalizePackages } from '../../api/packages.ts';
import { trustJob, type TrustObservation } from './trust.ts';

const registry: RegistryConfig = { endpoint: 'registry.test', repoPrefix: 'registry.test/team', insecure: false };

const owner: ImageSpec = {
  metadata: { name: 'web', namespace: 'team-a', uid: 'uid-web' },
  spec: { baseImage: 'debian:bookworm', pullSecret: 'base-pull', packages: { apt: ['curl'] } },
};

/** The job the ImageSpec controller creates for `owner`: the reference point of every case. */
function genuineJob(config: RegistryConfig = registry): ImageSpecJob {
  const observation: ImageSpecObservation = {
    imageSpec: owner,
    problems: [],
    envRefused: [],
    revision: computeRevision(owner.spec),
    packages: normalizePackages(owner.spec.packages),
    registry: config,
    pullSecretMissing: false,
    jobs: [],
    historySucceeded: 1,
    historyFailed: 1,
    now: '2026-11-23T10:00:00Z',
  };
  return desiredJob(observation, config);
}

function observe(job: ImageSpecJob, extra: Partial<TrustObservation> = {}): TrustObservation {
  return { job, owner, registry, outputAllowed: [], ...extra };
}

function withSpec(job: ImageSpecJob, spec: Partial<ImageSpecJob['spec']>): ImageSpecJob {
  return { ...job, spec: { ...job.spec, ...spec } };
}

function assertRefused(observation: TrustObservation, reason: string, field: RegExp): string {
  const trust = trustJob(observation);
  assert.equal(trust.trusted, false);
  if (trust.trusted) throw new Error('unreachable');
  assert.equal(trust.reason, reason);
  assert.match(trust.message, /^This ImageSpecJob was not created by the controller from an ImageSpec: /);
  assert.match(trust.message, field);
  return trust.message;
}

test('the job the ImageSpec controller creates is trusted, with the target the configuration derives', () => {
  const trust = trustJob(observe(genuineJob()));
  assert.ok(trust.trusted);
  assert.equal(trust.target.targetImage, genuineJob().spec.targetImage);
  assert.match(trust.target.targetImage, /^registry\.test\/team\/team-a\/web:[0-9a-f]{12}$/);
  for (const config of [{ ...registry, imagePath: 'flat' as const }, { ...registry, pushRepo: 'registry.test/images' }]) {
    assert.ok(trustJob(observe(genuineJob(config), { registry: config })).trusted, JSON.stringify(config));
  }
});

test('a job without a controller reference to an ImageSpec is NotControlled', () => {
  const job = genuineJob();
  const [ref] = job.metadata.ownerReferences!;
  const cases: ImageSpecJob['metadata']['ownerReferences'][] = [
    undefined,
    [],
    [{ ...ref!, controller: false }],
    [{ ...ref!, kind: 'Deployment', apiVersion: 'apps/v1' }],
    [{ ...ref!, apiVersion: 'other.example/v1alpha1' }],
  ];
  for (const ownerReferences of cases) {
    const forged = { ...job, metadata: { ...job.metadata, ownerReferences } };
    assertRefused(observe(forged), 'NotControlled', /no controller ownerReference to an ImageSpec/);
  }
});

test('a reference to an ImageSpec that is not in the cache, or has another uid, is NotControlled', () => {
  const job = genuineJob();
  assertRefused(observe(job, { owner: undefined }), 'NotControlled', /does not exist in this namespace/);
  assertRefused(observe(job, { owner: { ...owner, metadata: { ...owner.metadata, uid: 'uid-recreated' } } }), 'NotControlled', /does not exist/);
  const [ref] = job.metadata.ownerReferences!;
  const otherName = { ...job, metadata: { ...job.metadata, ownerReferences: [{ ...ref!, name: 'other' }] } };
  assertRefused(observe(otherName), 'NotControlled', /does not exist/);
});

test('spec.imageSpecName must name the controlling ImageSpec', () => {
  assertRefused(observe(withSpec(genuineJob(), { imageSpecName: 'other' })), 'NotControlled', /spec\.imageSpecName/);
});

test('a target other than the derived one is refused without echoing it', () => {
  const forgedTargets = [
    'registry.test/team/team-b/web:0123456789ab',
    'registry.test/team/web:0123456789ab',
    'evil.example/team-a/web:latest',
    genuineJob().spec.targetImage.replace(/:[0-9a-f]{12}$/, ':000000000000'),
  ];
  for (const targetImage of forgedTargets) {
    const message = assertRefused(observe(withSpec(genuineJob(), { targetImage })), 'NotControlled', /spec\.targetImage is not the image/);
    assert.ok(!message.includes(targetImage), message);
    assert.match(message, /ImageSpec web at revision [0-9a-f]{12}/);
  }
});

test('a job created under another configuration is refused too, saying so', () => {
  const flat = genuineJob({ ...registry, imagePath: 'flat' });
  assertRefused(observe(flat), 'NotControlled', /configuration changed since the job was created/);
});

test('without a registry no target can be derived: the job is refused as RegistryNotConfigured', () => {
  const trust = trustJob(observe(genuineJob(), { registry: undefined }));
  assert.equal(trust.trusted, false);
  assert.equal(!trust.trusted && trust.reason, 'RegistryNotConfigured');
});

test('an ImageSpec with its own output: trusted where the admin allows it, with its push Secret and never the admin\'s target', () => {
  const tenant: ImageSpec = { ...owner, spec: { ...owner.spec, output: { image: '127.0.0.1:5002/team-a/web', pushSecret: 'team-a-push' } } };
  const revision = computeRevision(tenant.spec);
  const job = desiredJob(
    { imageSpec: tenant, problems: [], envRefused: [], revision, packages: normalizePackages(tenant.spec.packages), registry: undefined, pullSecretMissing: false, jobs: [], historySucceeded: 1, historyFailed: 1, now: '2026-11-23T10:00:00Z' },
    undefined,
  );
  assert.equal(job.spec.targetImage, `127.0.0.1:5002/team-a/web:${revision.slice(0, 12)}`);
  assert.equal(job.spec.repoPrefix, undefined);
  const trusted = trustJob({ job, owner: tenant, registry: undefined, outputAllowed: ['127.0.0.1:5002/team-a'] });
  assert.deepEqual(trusted, { trusted: true, target: { targetImage: job.spec.targetImage }, tenantOutput: { pushSecret: 'team-a-push' } });

  const notAllowed = trustJob({ job, owner: tenant, registry, outputAllowed: ['127.0.0.1:5002/team-b'] });
  assert.ok(!notAllowed.trusted);
  assert.equal(notAllowed.reason, 'OutputNotAllowed');
  const elsewhere = trustJob({ job: withSpec(job, { targetImage: '127.0.0.1:5002/team-a/other:v1' }), owner: tenant, registry, outputAllowed: ['127.0.0.1:5002'] });
  assert.ok(!elsewhere.trusted);
  assert.equal(elsewhere.reason, 'NotControlled');
  assert.ok(!elsewhere.message.includes('other'), 'the forged target is not echoed');
});
