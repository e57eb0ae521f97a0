// Children by their parent, so a reconcile reads its own few children instead of scanning every
// object of the namespace (with thousands of ImageSpecs in one namespace, the scan made each
// ImageSpec reconcile cost O(all jobs)). Fed from the children's informer events; a name whose
// object has left the cache is dropped the next time it is read, so deletions need no event.
export class ChildIndex {
  private readonly byParent = new Map<string, Set<string>>();

  private static key(namespace: string, parent: string): string {
    return `${namespace}/${parent}`;
  }

  note(namespace: string, parent: string, child: string): void {
    const key = ChildIndex.key(namespace, parent);
    let children = this.byParent.get(key);
    if (!children) this.byParent.set(key, (children = new Set()));
    children.add(child);
  }

  /** The cached children of `parent`, read through `get`; names no longer cached are forgotten. */
  children<T>(namespace: string, parent: string, get: (name: string) => T | undefined): T[] {
    const key = ChildIndex.key(namespace, parent);
    const names = this.byParent.get(key);
    if (!names) return [];
    const found: T[] = [];
    for (const name of names) {
      const child = get(name);
      if (child === undefined) names.delete(name);
      else found.push(child);
    }
    if (names.size === 0) this.byParent.delete(key);
    return found;
  }

  /** How many parents have children noted (for tests and metrics). */
  get size(): number {
    return this.byParent.size;
  }
}
