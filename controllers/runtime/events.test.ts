import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import winston from 'winston';
import { eventSubject } from './eventbody.ts';
import { createEventRecorder, reportingInstance } from './events.ts';

test('the reporting instance is the Pod name, else the host name', () => {
  assert.equal(reportingInstance({ POD_NAME: 'imagespec-controller-7d9f-abcde' }), 'imagespec-controller-7d9f-abcde');
  assert.ok(reportingInstance({}).length > 0);
});

function capturingLogger(): { log: winston.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] }), lines };
}

/** An API server address nothing listens on (a port just freed): every write fails for real. */
async function unreachableCluster(): Promise<KubeConfig> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'none', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'nobody' }],
    contexts: [{ name: 'none', cluster: 'none', user: 'nobody' }],
    currentContext: 'none',
  });
  return kubeConfig;
}

test('recording never throws into the caller and logs failures without the Event text', async () => {
  const { log, lines } = capturingLogger();
  const recorder = createEventRecorder(await unreachableCluster(), log, { reportingInstance: 'test', seriesIntervalMs: 0 });
  const subject = eventSubject('imagespec.dev/v1alpha1', 'ImageSpec', { name: 'web', namespace: 'ns', uid: 'uid-1' });
  const secretish = 'note-text-that-must-not-reach-the-log';
  assert.doesNotThrow(() => {
    recorder.record(subject, { type: 'Warning', reason: 'PushFailed', action: 'Build', note: secretish });
    recorder.record(subject, { type: 'Warning', reason: 'PushFailed', action: 'Build', note: secretish });
  });
  await recorder.flush();
  const failures = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.message === 'Could not write Event');
  assert.ok(failures.length >= 1, `a failure was logged: ${lines.join('')}`);
  assert.equal(failures[0]?.level, 'warn');
  assert.equal(failures[0]?.object, 'ImageSpec/web');
  assert.equal(failures[0]?.reason, 'PushFailed');
  assert.equal(failures[0]?.error, 'ECONNREFUSED');
  assert.ok(!lines.join('').includes(secretish));
});
