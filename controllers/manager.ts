// Wires informers, work queues and the two controllers together.
// Events only enqueue keys: Pod -> its ImageSpecJob, ImageSpecJob -> itself and its ImageSpec,
// ImageSpec -> itself. Reconciles read the caches, so status moves by watch, never by polling.
import type { KubeConfig, KubernetesListObject, KubernetesObject, V1Pod } from '@kubernetes/client-node';
import {
  GROUP,
  IMAGESPECJOB_PLURAL,
  IMAGESPEC_PLURAL,
  LABEL_IMAGESPEC,
  LABEL_JOB,
  LABEL_MANAGED_BY,
  MANAGED_BY,
  VERSION,
  type ImageSpec,
  type ImageSpecJob,
} from '../api/types.ts';
import type { Config } from '../config/types.ts';
import { loadTemplates } from '../render/templates.ts';
import { NamespacedCache } from './runtime/cache.ts';
import { ResilientInformer } from './runtime/informer.ts';
import { keyOf, makeClients, plain, type Clients } from './runtime/kube.ts';
import type { Logger } from './runtime/logger.ts';
import { runWorkers } from './runtime/worker.ts';
import { WorkQueue } from './runtime/workqueue.ts';
import { ImageSpecController } from './imagespec/controller.ts';
import { ImageSpecJobController } from './imagespecjob/controller.ts';

export interface Manager {
  /** Resolves once the caches are filled and the workers run. */
  start(): Promise<void>;
  /** Stops watching and lets running reconciles finish. */
  stop(): Promise<void>;
  readonly queues: { imageSpecs: WorkQueue; jobs: WorkQueue };
}

type ListFn<T extends KubernetesObject> = (namespace: string) => Promise<KubernetesListObject<T>>;

function collectionPath(prefix: string, namespace: string, plural: string): string {
  return namespace ? `${prefix}/namespaces/${namespace}/${plural}` : `${prefix}/${plural}`;
}

export function createManager(kubeConfig: KubeConfig, config: Config, log: Logger): Manager {
  const clients: Clients = makeClients(kubeConfig);
  const templates = loadTemplates(config.templatesDir);
  const imageSpecQueue = new WorkQueue();
  const jobQueue = new WorkQueue();
  const namespaces = config.namespaces.length > 0 ? config.namespaces : [''];

  function informers<T extends KubernetesObject>(
    kind: string,
    prefix: string,
    plural: string,
    list: ListFn<T>,
    onEvent: (obj: T) => void,
    labelSelector?: string,
  ): NamespacedCache<T> {
    const byNamespace = new Map<string, ResilientInformer<T>>();
    for (const namespace of namespaces) {
      byNamespace.set(
        namespace,
        new ResilientInformer<T>(kubeConfig, {
          kind,
          path: collectionPath(prefix, namespace, plural),
          // Plain JSON, like watch events, so cached objects have one shape (dates as strings).
          list: async () => plain(await list(namespace)),
          labelSelector,
          onEvent,
          log,
        }),
      );
    }
    return new NamespacedCache(byNamespace);
  }

  const customPrefix = `/apis/${GROUP}/${VERSION}`;
  const listCustom = (plural: string) => (namespace: string) =>
    (namespace
      ? clients.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural })
      : clients.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural })) as Promise<KubernetesListObject<never>>;
  const podSelector = `${LABEL_MANAGED_BY}=${MANAGED_BY},${LABEL_JOB}`;

  const imageSpecs = informers<ImageSpec & KubernetesObject>(
    'ImageSpec',
    customPrefix,
    IMAGESPEC_PLURAL,
    listCustom(IMAGESPEC_PLURAL),
    (spec) => imageSpecQueue.add(keyOf(spec.metadata?.namespace, spec.metadata?.name)),
  );
  const jobs = informers<ImageSpecJob & KubernetesObject>(
    'ImageSpecJob',
    customPrefix,
    IMAGESPECJOB_PLURAL,
    listCustom(IMAGESPECJOB_PLURAL),
    (job) => {
      jobQueue.add(keyOf(job.metadata?.namespace, job.metadata?.name));
      const owner = job.metadata?.ownerReferences?.find((ref) => ref.controller)?.name ?? job.metadata?.labels?.[LABEL_IMAGESPEC];
      if (owner) imageSpecQueue.add(keyOf(job.metadata?.namespace, owner));
    },
  );
  const pods = informers<V1Pod>(
    'Pod',
    '/api/v1',
    'pods',
    (namespace) =>
      namespace
        ? clients.core.listNamespacedPod({ namespace, labelSelector: podSelector })
        : clients.core.listPodForAllNamespaces({ labelSelector: podSelector }),
    (pod) => {
      const job = pod.metadata?.labels?.[LABEL_JOB];
      if (job) jobQueue.add(keyOf(pod.metadata?.namespace, job));
    },
    podSelector,
  );

  const imageSpecController = new ImageSpecController({ clients, imageSpecs, jobs, config, log });
  const jobController = new ImageSpecJobController({ clients, jobs, pods, config, templates, log });
  let resyncTimer: NodeJS.Timeout | undefined;
  let workers: Promise<unknown> | undefined;
  const allInformers = () => [...pods.all(), ...jobs.all(), ...imageSpecs.all()];

  return {
    queues: { imageSpecs: imageSpecQueue, jobs: jobQueue },
    async start() {
      // Children first, so the first ImageSpec reconciles already see existing jobs and Pods.
      for (const informer of [...pods.all(), ...jobs.all()]) await informer.start();
      for (const informer of imageSpecs.all()) await informer.start();
      workers = Promise.all([
        runWorkers({ kind: 'ImageSpec', queue: imageSpecQueue, reconcile: imageSpecController.reconcile, workers: config.workers, log }),
        runWorkers({ kind: 'ImageSpecJob', queue: jobQueue, reconcile: jobController.reconcile, workers: config.workers, log }),
      ]);
      resyncTimer = setInterval(() => {
        for (const informer of allInformers()) informer.resync();
      }, config.resyncSeconds * 1000);
      resyncTimer.unref();
      log.info('Started controllers', { namespaces: config.namespaces.length ? config.namespaces : 'all', workers: config.workers });
    },
    async stop() {
      clearInterval(resyncTimer);
      await Promise.all(allInformers().map((informer) => informer.stop()));
      imageSpecQueue.shutDown();
      jobQueue.shutDown();
      await workers;
      log.info('Stopped controllers');
    },
  };
}
