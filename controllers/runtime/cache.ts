// A read-only cache over one informer per watched namespace (or one for all namespaces).
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResilientInformer } from './informer.ts';

export interface Cache<T> {
  get(name: string, namespace: string): T | undefined;
  list(namespace: string): ReadonlyArray<T>;
}

export class NamespacedCache<T extends KubernetesObject> implements Cache<T> {
  private readonly informers: Map<string, ResilientInformer<T>>;

  /** `informers` maps a namespace ('' for all namespaces) to its informer. */
  constructor(informers: Map<string, ResilientInformer<T>>) {
    this.informers = informers;
  }

  private informerFor(namespace: string): ResilientInformer<T> | undefined {
    return this.informers.get(namespace) ?? this.informers.get('');
  }

  get(name: string, namespace: string): T | undefined {
    return this.informerFor(namespace)?.get(name, namespace);
  }

  list(namespace: string): ReadonlyArray<T> {
    return this.informerFor(namespace)?.list(namespace) ?? [];
  }

  all(): ResilientInformer<T>[] {
    return [...this.informers.values()];
  }
}
