// Remembers, per key, the resourceVersion an object had when this process last wrote it. While
// the cache still holds that version, it has not seen our own write yet: deciding on it would
// only produce a write that fails with a conflict. The watch event of our write re-queues the
// key, so such a reconcile can simply wait for it.
export class WrittenVersions {
  private readonly before = new Map<string, string>();

  markWritten(key: string, resourceVersionBefore: string | undefined): void {
    if (resourceVersionBefore) this.before.set(key, resourceVersionBefore);
  }

  /** True while the cached object is the one our last write replaced. */
  cacheIsBehind(key: string, cachedResourceVersion: string | undefined): boolean {
    const written = this.before.get(key);
    if (written === undefined) return false;
    if (written === cachedResourceVersion) return true;
    this.before.delete(key);
    return false;
  }

  forget(key: string): void {
    this.before.delete(key);
  }
}
