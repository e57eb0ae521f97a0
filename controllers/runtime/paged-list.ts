// Lists a collection in pages and trims each page's objects before the next one arrives. A cache
// fill is the controller's largest allocation: thousands of objects (a build Pod carries its whole
// build context) parsed at once. In pages, only one page of untrimmed objects is alive
// at a time, so the fill no longer sets the process's peak memory.
import type { KubernetesListObject, KubernetesObject, V1ListMeta } from '@kubernetes/client-node';

export interface Page {
  limit: number;
  _continue?: string;
}

/** List metadata as the API server sends it: typed clients rename `continue` to `_continue`. */
type RawListMeta = V1ListMeta & { continue?: string };

/**
 * The token of the next page. A typed list (client-node's ObjectSerializer) holds it as `_continue`;
 * the server's JSON untouched (custom objects, untyped-json.ts) as `continue`. Reading only
 * `_continue` ended every custom object list after its first page of 500.
 */
export function continueToken(list: KubernetesListObject<KubernetesObject>): string | undefined {
  const metadata = list.metadata as RawListMeta | undefined;
  return metadata?._continue || metadata?.continue || undefined;
}

/** Objects per page: client-go's reflector asks for 500. */
export const PAGE_SIZE = 500;

export async function listInPages<T extends KubernetesObject>(
  fetchPage: (page: Page) => Promise<KubernetesListObject<T>>,
  /** What the cache keeps of an object: the same object trimmed, or a smaller copy. */
  keep: (obj: T) => T,
  pageSize = PAGE_SIZE,
): Promise<KubernetesListObject<T>> {
  const items: T[] = [];
  let page: Page = { limit: pageSize };
  for (;;) {
    const list = await fetchPage(page);
    for (const item of list.items) items.push(keep(item));
    const next = continueToken(list);
    if (!next) {
      // Every page shares the resource version of the first: the watch starts from there.
      const { continue: _raw, ...metadata } = (list.metadata ?? {}) as RawListMeta;
      return { ...list, items, metadata: { ...metadata, _continue: undefined } };
    }
    page = { limit: pageSize, _continue: next };
  }
}
