import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { continueToken, listInPages, type Page } from './paged-list.ts';

const objects = (from: number, to: number): KubernetesObject[] =>
  Array.from({ length: to - from }, (_, i) => ({ metadata: { name: `o${from + i}`, managedFields: [{ manager: 'm' }] } }));

test('follows continue tokens, trims every object, and keeps the list\'s resource version', async () => {
  const asked: Page[] = [];
  const pages: Record<string, KubernetesListObject<KubernetesObject>> = {
    first: { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '42', _continue: 'b' }, items: objects(0, 2) },
    b: { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '42', _continue: 'c' }, items: objects(2, 4) },
    c: { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '42' }, items: objects(4, 5) },
  };
  const list = await listInPages(
    async (page) => {
      asked.push(page);
      return pages[page._continue ?? 'first']!;
    },
    (obj) => {
      delete obj.metadata?.managedFields;
      return obj;
    },
    2,
  );
  assert.deepEqual(asked, [{ limit: 2 }, { limit: 2, _continue: 'b' }, { limit: 2, _continue: 'c' }]);
  assert.deepEqual(list.items.map((o) => o.metadata?.name), ['o0', 'o1', 'o2', 'o3', 'o4']);
  assert.ok(list.items.every((o) => o.metadata?.managedFields === undefined));
  assert.equal(list.metadata?.resourceVersion, '42');
  assert.equal(list.metadata?._continue, undefined);
});

test('a failed page fails the list (the informer lists again from the start)', async () => {
  await assert.rejects(
    listInPages(async (page) => {
      if (page._continue) throw new Error('410 Gone: the continue token expired');
      return { apiVersion: 'v1', kind: 'List', metadata: { _continue: 'x' }, items: objects(0, 1) };
    }, (obj) => obj),
    /410/,
  );
});

test('what the cache keeps may be a copy', async () => {
  const list = await listInPages(
    async () => ({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '7' }, items: objects(0, 2) }),
    (obj) => ({ metadata: { name: `kept-${obj.metadata?.name}` } }),
  );
  assert.deepEqual(list.items, [{ metadata: { name: 'kept-o0' } }, { metadata: { name: 'kept-o1' } }]);
});

test('a custom object list, the server\'s JSON untouched, is followed by its `continue` token too', async () => {
  // What CustomObjectsApi returns: metadata.continue, as the API server wrote it (not _continue).
  const raw = (meta: Record<string, unknown>, items: KubernetesObject[]) =>
    ({ apiVersion: 'imagespec.dev/v1alpha1', kind: 'ImageSpecList', metadata: meta, items }) as KubernetesListObject<KubernetesObject>;
  const pages: Record<string, KubernetesListObject<KubernetesObject>> = {
    first: raw({ resourceVersion: '9', continue: 'next', remainingItemCount: 1 }, objects(0, 2)),
    next: raw({ resourceVersion: '9', continue: '' }, objects(2, 3)),
  };
  const list = await listInPages(async (page) => pages[page._continue ?? 'first']!, (obj) => obj, 2);
  assert.deepEqual(list.items.map((o) => o.metadata?.name), ['o0', 'o1', 'o2']);
  assert.equal(list.metadata?.resourceVersion, '9');
  assert.equal((list.metadata as Record<string, unknown>).continue, undefined, 'no token left for the informer to misread');
  assert.equal(continueToken(raw({ continue: '' }, [])), undefined);
  assert.equal(continueToken(raw({ _continue: 't' }, [])), 't');
});
