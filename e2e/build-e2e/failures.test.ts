// End-to-end: builds that fail for real on the local node, each ending Failed with the reason a
// user can act on. All builds start together (their Pods share the node), then each is checked.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImageSpec } from '../../api/types.ts';
import { createImageSpec, imageSpecObject, type ControllerProcess } from '../integration/harness.ts';
import {
  finished,
  keepBuildLogs,
  kubectl,
  namespaceName,
  readyCondition,
  startBuildController,
  startE2e,
  type E2e,
} from './harness.ts';
import { createNamespace, deleteNamespaces } from '../namespaces.ts';

const debianBase = '127.0.0.1:5001/base/debian:bookworm';
const pythonBase = '127.0.0.1:5001/base/python:3.11-bookworm';
const missingApt = 'imagespec-e2e-no-such-package';
const missingPip = 'imagespec-e2e-no-such-package';
const missingBase = '127.0.0.1:5001/base/no-such-image:1';
// The smallest deadline the settings allow: the build below (a fresh base image pull, apt update and
// install, pip install) takes twice as long or more even on a warm machine.
const deadlineSeconds = 10;

let e2e: E2e;
const controllers: ControllerProcess[] = [];
/** One namespace per controller setting: each controller watches only its own. */
const ns = {
  main: namespaceName('fail'),
  wrongPassword: namespaceName('fail-password'),
  deadline: namespaceName('fail-deadline'),
};

interface Case {
  namespace: string;
  name: string;
  spec: ImageSpec['spec'];
}

const cases: Record<string, Case> = {
  apt: { namespace: ns.main, name: 'missing-apt', spec: { baseImage: debianBase, packages: { apt: [missingApt] } } },
  pip: { namespace: ns.main, name: 'missing-pip', spec: { baseImage: pythonBase, packages: { pip: [missingPip] } } },
  base: { namespace: ns.main, name: 'missing-base', spec: { baseImage: missingBase, packages: { apt: ['jq'] } } },
  conda: { namespace: ns.main, name: 'no-conda', spec: { baseImage: pythonBase, packages: { conda: ['numpy'] } } },
  push: { namespace: ns.wrongPassword, name: 'wrong-password', spec: { baseImage: debianBase, packages: { apt: ['jq'] } } },
  deadline: { namespace: ns.deadline, name: 'too-slow', spec: { baseImage: pythonBase, packages: { apt: ['jq'], pip: ['six'] } } },
};

const results = new Map<string, Promise<ImageSpec>>();

async function outcome(key: keyof typeof cases): Promise<{ spec: ImageSpec; reason?: string; message: string; logs: string }> {
  const spec = await results.get(key)!;
  const ready = readyCondition(spec);
  const logs = keepBuildLogs(e2e, cases[key]!.namespace, spec);
  return { spec, reason: ready?.reason, message: `${ready?.message ?? ''}\n(build logs kept in ${logs})`, logs };
}

describe('builds that fail on the local node', () => {
  before(async () => {
    e2e = await startE2e();
    for (const name of Object.values(ns)) await createNamespace(e2e.kube, name);
    controllers.push(startBuildController(e2e, 'e2e-fail', [ns.main]));
    controllers.push(startBuildController(e2e, 'e2e-fail-password', [ns.wrongPassword], { IMAGESPEC_REGISTRY_PASSWORD: 'not-the-password' }));
    controllers.push(startBuildController(e2e, 'e2e-fail-deadline', [ns.deadline], { IMAGESPEC_BUILD_TIMEOUT_SECONDS: String(deadlineSeconds) }));
    for (const [key, c] of Object.entries(cases)) {
      await createImageSpec(e2e.kube, c.namespace, imageSpecObject(c.name, c.spec));
      const result = finished(e2e.kube, c.namespace, c.name);
      result.catch(() => undefined); // awaited by its test
      results.set(key, result);
    }
  });

  after(async () => {
    for (const controller of controllers) await controller.stop();
    if (e2e) await deleteNamespaces(e2e.kube, Object.values(ns));
  });

  test('a nonexistent apt package: AptInstallFailed, naming the package', async () => {
    const { spec, reason, message } = await outcome('apt');
    assert.equal(spec.status?.phase, 'Failed');
    assert.equal(reason, 'AptInstallFailed', message);
    // Guaranteed by the step's exit code and the list file, whatever reached the log.
    assert.match(message, /apt-get could not install the apt packages/, message);
    assert.match(message, new RegExp(`Requested \\(apt\\.txt\\): ${missingApt}`), message);
  });

  test('a nonexistent pip package: PipInstallFailed, naming the package', async () => {
    const { spec, reason, message } = await outcome('pip');
    assert.equal(spec.status?.phase, 'Failed');
    assert.equal(reason, 'PipInstallFailed', message);
    assert.match(message, /pip could not install the pip packages/, message);
    assert.match(message, new RegExp(`Requested \\(requirements\\.txt\\): ${missingPip}`), message);
  });

  test('a base image that does not exist: BaseImagePullFailed, naming the image', async () => {
    const { spec, reason, message } = await outcome('base');
    assert.equal(spec.status?.phase, 'Failed');
    assert.equal(reason, 'BaseImagePullFailed', message);
    assert.match(message, new RegExp(missingBase.replaceAll('.', '\\.')));
    assert.match(message, /manifest unknown|not found/i);
  });

  test('conda packages on a base without conda: CondaInstallFailed, saying what to do', async () => {
    const { spec, reason, message } = await outcome('conda');
    assert.equal(spec.status?.phase, 'Failed');
    assert.equal(reason, 'CondaInstallFailed', message);
    assert.match(message, /the base image has no conda on its PATH/, message);
  });

  test('a wrong registry password: the build succeeds, the push fails with PushFailed', async () => {
    const { spec, reason, message } = await outcome('push');
    assert.equal(spec.status?.phase, 'Failed');
    assert.equal(reason, 'PushFailed', message);
    assert.match(message, /HTTP 401; check the registry username and password/);
    assert.match(message, /The controller could not push the image to \S+ \(HTTP 424\)/);
    assert.doesNotMatch(message, /not-the-password/, 'the password stays out of the status');
    const buildLog = kubectl(e2e, ['logs', '-n', ns.wrongPassword, `${spec.status!.jobName}-build`, '-c', 'build']);
    assert.match(buildLog, /imagespec: build finished/);
  });

  test(`a build longer than its deadline (${deadlineSeconds} s): DeadlineExceeded`, async () => {
    const { spec, reason, message } = await outcome('deadline');
    assert.equal(spec.status?.phase, 'Failed');
    assert.equal(reason, 'DeadlineExceeded', message);
  });
});
