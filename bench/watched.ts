// A watch kept open for the whole run, recording when each event arrives (performance.now(),
// client side), so a latency is measured to the moment the change reached a client.
// Like an informer it lists first and watches from the list's resourceVersion (the API server
// refuses a watch without one when etcd sends no progress notifications). client-node's Watch
// ends after 30 s without data and on server timeouts: it is reopened from the last
// resourceVersion seen, or listed again after 410 Gone (objects already seen are not new).
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';

/** The type of an arrival read from a list rather than a watch event. */
export const LISTED = 'LISTED';

export interface Arrival<T> {
  type: string;
  object: T;
  /** The first ADDED event (or list) of this name since the watch started. */
  isNew: boolean;
  atMs: number;
}

interface Waiter<T> {
  match: (arrival: Arrival<T>) => boolean;
  resolve: (atMs: number) => void;
}

/** Anything with a name and a resourceVersion: built-in kinds and ours. */
export interface WatchedObject {
  metadata?: { name?: string; resourceVersion?: string };
}

export interface WatchedList<T> {
  metadata?: { resourceVersion?: string };
  items: T[];
}

export class Watched<T extends WatchedObject> {
  /** When each name's first ADDED event arrived. */
  readonly firstAdded = new Map<string, number>();
  private readonly waiters = new Set<Waiter<T>>();
  private readonly watch: Watch;
  private readonly path: string;
  private readonly list: () => Promise<WatchedList<T>>;
  private resourceVersion = '';
  private abort: AbortController | undefined;
  private stopped = false;

  constructor(kubeConfig: KubeConfig, path: string, list: () => Promise<WatchedList<T>>) {
    this.watch = new Watch(kubeConfig);
    this.path = path;
    this.list = list;
  }

  /** Resolves once the watch is open: every later change is seen. */
  async start(): Promise<void> {
    await this.relist();
    const failure = await this.open(true);
    if (failure) throw new Error(`Could not watch ${this.path}: ${String(failure)}`);
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.waiters.clear();
  }

  /** Resolves with the arrival time of the first event from now on that `match` accepts. */
  next(what: string, match: (arrival: Arrival<T>) => boolean, timeoutMs: number): Promise<number> {
    const arrived = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}`));
      }, timeoutMs);
      const waiter: Waiter<T> = {
        match,
        resolve: (atMs) => {
          clearTimeout(timer);
          resolve(atMs);
        },
      };
      this.waiters.add(waiter);
    });
    // Waited for only after a write: if that write fails, its timeout must not be an unhandled rejection.
    arrived.catch(() => undefined);
    return arrived;
  }

  private receive(type: string, object: T): void {
    const atMs = performance.now();
    if (type === 'BOOKMARK') {
      this.resourceVersion = object.metadata?.resourceVersion ?? this.resourceVersion;
      return;
    }
    if (type === 'ERROR') {
      // 410 Gone: the resourceVersion is too old, list again. Any other error (the watch cache
      // behind the list's resourceVersion): the same resourceVersion a moment later.
      if ((object as { code?: number }).code === 410) this.resourceVersion = '';
      return;
    }
    this.resourceVersion = object.metadata?.resourceVersion ?? this.resourceVersion;
    this.deliver(type, object, atMs);
  }

  private deliver(type: string, object: T, atMs: number): void {
    const name = object.metadata?.name ?? '';
    const isNew = (type === 'ADDED' || type === LISTED) && !this.firstAdded.has(name);
    if (isNew) this.firstAdded.set(name, atMs);
    const arrival = { type, object, isNew, atMs };
    for (const waiter of this.waiters) {
      if (waiter.match(arrival)) {
        this.waiters.delete(waiter);
        waiter.resolve(atMs);
      }
    }
  }

  /** Opens the watch; a failure while opening the first one is returned, any later end reopens it. */
  private async open(first: boolean): Promise<unknown> {
    let opening = true;
    let failure: unknown;
    const query = { allowWatchBookmarks: true, resourceVersion: this.resourceVersion || undefined };
    const ended = (error: unknown) => {
      if (opening && first) failure = error ?? new Error('the watch closed at once');
      else if (!this.stopped) void this.reopen(error);
    };
    try {
      this.abort = await this.watch.watch(this.path, query, (type, object) => this.receive(type, object as T), ended);
    } catch (error) {
      ended(error);
    }
    opening = false;
    return failure;
  }

  /** Lists; each object arrives as of now (those not seen before as new). */
  private async relist(): Promise<void> {
    const listed = await this.list();
    const atMs = performance.now();
    for (const object of listed.items) this.deliver(LISTED, object, atMs);
    this.resourceVersion = listed.metadata?.resourceVersion ?? '';
  }

  private async reopen(error: unknown): Promise<void> {
    // A pause however the watch ended: one that ends at once (an ERROR event) must not spin.
    await sleep(error ? 500 : 100);
    if (this.stopped) return;
    if (!this.resourceVersion) {
      try {
        await this.relist();
      } catch (listError) {
        return this.reopen(listError);
      }
    }
    await this.open(false);
  }
}
