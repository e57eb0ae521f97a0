import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it, mock } from 'node:test';
import { KubeConfig, ListWatch, type KubernetesListObject, type KubernetesObject, type Watch } from '@kubernetes/client-node';
import type { Logger } from './logger.ts';
import { ResilientInformer, RESTART_BACKOFF, type InformerFactory } from './informer.ts';

/** Behaves as client-node's informer does on start: 'connect' first, then the list, then 'error' if it failed. */
class FakeInformer extends EventEmitter {
  private readonly lister: () => Promise<KubernetesListObject<KubernetesObject>>;
  constructor(lister: () => Promise<KubernetesListObject<KubernetesObject>>) {
    super();
    this.lister = lister;
  }
  async start(): Promise<void> {
    this.emit('connect');
    try {
      await this.lister();
    } catch (error) {
      this.emit('error', error);
    }
  }
  async stop(): Promise<void> {}
  get(): undefined {
    return undefined;
  }
  list(): KubernetesObject[] {
    return [];
  }
}

function harness(listResults: Array<'fail' | 'ok'>, cached: KubernetesObject[] = []) {
  const delays: number[] = [];
  const replayed: KubernetesObject[] = [];
  const log = { warn: (_message: string, fields: { delayMs: number }) => delays.push(fields.delayMs), error: () => {} } as unknown as Logger;
  const factory = ((_kc, _path, list) => {
    const fake = new FakeInformer(list);
    fake.list = () => cached;
    return fake as unknown as ReturnType<InformerFactory<KubernetesObject>>;
  }) as InformerFactory<KubernetesObject>;
  const informer = new ResilientInformer<KubernetesObject>(
    new KubeConfig(),
    {
      kind: 'Pod',
      path: '/api/v1/pods',
      list: async () => {
        const next = listResults.shift() ?? 'fail';
        if (next === 'fail') throw new Error('connect ECONNREFUSED 127.0.0.1:6443');
        return { apiVersion: 'v1', kind: 'List', items: [], metadata: {} } as KubernetesListObject<KubernetesObject>;
      },
      onEvent: (obj) => replayed.push(obj),
      log,
    },
    factory,
  );
  return { informer, delays, replayed };
}

/** Lets the fake's awaited list settle and its 'error' schedule the next restart. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ResilientInformer restarts', () => {
  it('back off exponentially against an API server that stays down, although every try connects first', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const { informer, delays } = harness([]);
      await informer.start();
      for (let i = 0; i < 9; i += 1) {
        mock.timers.tick(delays.at(-1)!);
        await settle();
      }
      assert.deepEqual(delays, [500, 1000, 2000, 4000, 5000, 5000, 5000, 5000, 5000, 5000]);
      assert.equal(Math.max(...delays), RESTART_BACKOFF.maxDelayMs);
      await informer.stop();
    } finally {
      mock.timers.reset();
    }
  });

  it('start again from the base delay once a list has succeeded', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const { informer, delays } = harness(['fail', 'fail', 'ok', 'fail']);
      await informer.start(); // fails: 500
      mock.timers.tick(500);
      await settle(); // fails: 1000
      mock.timers.tick(1000);
      await settle(); // lists: the counter resets
      (informer as unknown as { informer: EventEmitter }).informer.emit('error', new Error('watch closed'));
      assert.deepEqual(delays, [500, 1000, 500]);
      await informer.stop();
    } finally {
      mock.timers.reset();
    }
  });
});

describe('ResilientInformer recovery', () => {
  it('replays every cached object once when a list succeeds after failures, not on a first list', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const objects: KubernetesObject[] = [{ metadata: { name: 'a', namespace: 'n' } }, { metadata: { name: 'b', namespace: 'n' } }];
      const first = harness(['ok'], objects);
      await first.informer.start();
      await settle();
      assert.equal(first.replayed.length, 0, 'a first list is no recovery');
      await first.informer.stop();

      const { informer, replayed } = harness(['fail', 'fail', 'ok'], objects);
      await informer.start(); // fails: 500
      mock.timers.tick(500);
      await settle(); // fails: 1000
      assert.equal(replayed.length, 0);
      mock.timers.tick(1000);
      await settle(); // lists: recovered
      await settle();
      assert.deepEqual(replayed.map((o) => o.metadata?.name), ['a', 'b']);
      await informer.stop();
    } finally {
      mock.timers.reset();
    }
  });
});

describe('ResilientInformer slimming', () => {
  it('trims objects before the handler sees them, and client-node\'s cache keeps the trimmed object', async () => {
    const listed: KubernetesObject = { metadata: { name: 'a', namespace: 'n', resourceVersion: '1', managedFields: [{ manager: 'm' }] } };
    const seen: KubernetesObject[] = [];
    // client-node's own cache, with a watch that never delivers anything.
    const watch = { watch: async () => ({ abort: () => undefined }) } as unknown as Watch;
    const factory = ((_kc, path, list) => new ListWatch(path, watch, list, false)) as InformerFactory<KubernetesObject>;
    const informer = new ResilientInformer<KubernetesObject>(
      new KubeConfig(),
      {
        kind: 'Widget',
        path: '/apis/example.dev/v1/widgets',
        list: async () => ({ apiVersion: 'v1', kind: 'List', items: [listed], metadata: { resourceVersion: '1' } }) as KubernetesListObject<KubernetesObject>,
        onEvent: (obj) => seen.push(structuredClone(obj)),
        slim: (obj) => delete obj.metadata?.managedFields,
        log: { warn: () => {}, error: () => {} } as unknown as Logger,
      },
      factory,
    );
    await informer.start();
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.metadata?.managedFields, undefined, 'the handler saw the trimmed object');
    assert.equal(informer.get('a', 'n')?.metadata?.managedFields, undefined, 'the cache holds the trimmed object');
    assert.equal(informer.get('a', 'n')?.metadata?.resourceVersion, '1');
    await informer.stop();
  });
});
