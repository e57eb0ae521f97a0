// A shared informer that never stays down. client-node's informer stops for good on any
// watch error but 410 and has no resync; this wrapper restarts it with backoff and replays
// the cache periodically so a missed event is repaired by the next resync.
import { ListWatch, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import type { Logger } from './logger.ts';
import { StreamingWatch } from './streaming-watch.ts';
import { backoffDelay } from './workqueue.ts';

export type EventHandler<T> = (obj: T) => void;

export interface InformerOptions<T extends KubernetesObject> {
  kind: string;
  /** API path of the collection, e.g. /api/v1/namespaces/ns/pods */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  /** Called for adds, updates, deletes and resyncs; must only enqueue, never throw. */
  onEvent: EventHandler<T>;
  /**
   * Trims an arriving object in place before anyone reads it (slim.ts). client-node's cache stores
   * the very object it then hands to the handlers, so trimming it here trims what the cache keeps.
   */
  slim?: (obj: T) => unknown;
  log: Logger;
}

/** Makes the list-then-watch cache: streamingInformer, or a stand-in in unit tests. */
export type InformerFactory<T extends KubernetesObject> = (
  kubeConfig: KubeConfig,
  path: string,
  list: () => Promise<KubernetesListObject<T>>,
  labelSelector?: string,
) => Informer<T> & ObjectCache<T>;

/** client-node's makeInformer, reading its watch with StreamingWatch (streaming-watch.ts). */
export function streamingInformer<T extends KubernetesObject>(
  kubeConfig: KubeConfig,
  path: string,
  list: () => Promise<KubernetesListObject<T>>,
  labelSelector?: string,
): Informer<T> & ObjectCache<T> {
  return new ListWatch<T>(path, new StreamingWatch(kubeConfig), list, false, labelSelector);
}

// Capped low: against an API server that is down, one list per informer every 5 s costs nothing,
// and the controller is back within seconds of the server's return, not up to half a minute later.
export const RESTART_BACKOFF = { baseDelayMs: 500, maxDelayMs: 5_000 };

export class ResilientInformer<T extends KubernetesObject> {
  private readonly informer;
  private readonly options: InformerOptions<T>;
  private restarts = 0;
  private stopped = false;
  private restartTimer?: NodeJS.Timeout;

  constructor(kubeConfig: KubeConfig, options: InformerOptions<T>, factory: InformerFactory<T> = streamingInformer) {
    this.options = options;
    // Only a list that succeeded or an event that arrived proves the API server answers again.
    // client-node emits 'connect' before it even tries to list, so 'connect' proves nothing: resetting
    // there kept the delay at its base against a server that was down.
    const list = async () => {
      const result = await options.list();
      // Back after failures (the API server or etcd was away): replay every object once, after the
      // informer has stored this list, so keys whose retries backed off far while nothing answered
      // are reconciled now rather than when their delay ends.
      if (this.restarts > 0) setImmediate(() => this.resync());
      this.restarts = 0;
      return result;
    };
    this.informer = factory(kubeConfig, options.path, list, options.labelSelector);
    const safe = (obj: T) => {
      this.restarts = 0;
      try {
        options.slim?.(obj);
        options.onEvent(obj);
      } catch (error) {
        options.log.error(`Could not handle ${options.kind} event`, { error: String(error) });
      }
    };
    this.informer.on('add', safe);
    this.informer.on('update', safe);
    this.informer.on('delete', safe);
    this.informer.on('error', (error: unknown) => this.scheduleRestart(error));
  }

  /** Lists once (the cache is synced when this resolves), then watches. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.informer.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.informer.stop();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  list(namespace?: string): ReadonlyArray<T> {
    return this.informer.list(namespace);
  }

  /** Replays every cached object to the handler (a level-triggered safety net). */
  resync(): void {
    for (const obj of this.informer.list()) this.options.onEvent(obj);
  }

  private scheduleRestart(error: unknown): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.restarts++, RESTART_BACKOFF);
    this.options.log.warn(`Restarting ${this.options.kind} informer`, {
      error: describeError(error),
      delayMs: delay,
    });
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (this.stopped) return;
      this.informer.start().catch((err: unknown) => this.scheduleRestart(err));
    }, delay);
  }
}

export function describeError(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown; statusCode?: unknown };
    const code = e.code ?? e.statusCode;
    return `${code !== undefined ? `${String(code)} ` : ''}${String(e.message ?? error)}`.slice(0, 500);
  }
  return String(error).slice(0, 500);
}
