// I/O edge of the ImageSpecJob controller: reads the caches, asks decideJob, applies.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { API_VERSION, IMAGESPECJOB_KIND, IMAGESPECJOB_PLURAL, type ImageSpec, type ImageSpecJob } from '../../api/types.ts';
import type { Config } from '../../config/types.ts';
import { podName } from '../../api/names.ts';
import { nowTimestamp } from '../../api/time.ts';
import type { Cache } from '../runtime/cache.ts';
import { apiMessage, ignoreAlreadyExists, ignoreNotFound, isInvalid } from '../runtime/errors.ts';
import { describeError } from '../runtime/informer.ts';
import { LOOKUP_TIMEOUT_MS, type ImageLookup } from '../../registry/existing-image.ts';
import { imageSpecClient } from '../runtime/custom-objects.ts';
import { patchCustomStatus, sameStatus, splitKey, type Clients } from '../runtime/kube.ts';
import { untypedJson } from '../runtime/untyped-json.ts';
import type { Logger } from '../runtime/logger.ts';
import { eventSubject } from '../runtime/eventbody.ts';
import { recordEvents, type EventRecorder } from '../runtime/events.ts';
import type { BuildMetrics } from '../runtime/metrics.ts';
import type { ReconcileResult } from '../runtime/worker.ts';
import { WrittenVersions } from '../runtime/written.ts';
import { decideJob, refusedBuild } from './decide.ts';
import { nodeHealth } from './node-health.ts';
import { buildPod } from './pod.ts';
import { controllingImageSpec, trustJob, type Trust } from './trust.ts';
import { contextUrl, uploadBaseUrl } from '../upload/route.ts';
import { isTerminal } from '../imagespec/decide.ts';

export interface JobControllerDeps {
  clients: Clients;
  jobs: Cache<ImageSpecJob>;
  pods: Cache<V1Pod>;
  /** Only a job controlled by an ImageSpec in this cache is built (trust.ts). */
  imageSpecs: Cache<ImageSpec>;
  /** Nodes by name, to end builds on a node that stopped answering; none: builds wait for Kubernetes. */
  nodes?: { get(name: string): V1Node | undefined };
  config: Config;
  log: Logger;
  /** Tells what the reconciles did as Kubernetes Events; none when absent. */
  events?: EventRecorder;
  now?: () => string;
  metrics?: BuildMetrics;
  /** Asks the registry whether a revision's image exists before building it; none: always build. */
  imageLookup?: ImageLookup;
}

export class ImageSpecJobController {
  private readonly deps: JobControllerDeps;
  private readonly written = new WrittenVersions();

  constructor(deps: JobControllerDeps) {
    this.deps = deps;
  }

  reconcile = async (key: string): Promise<ReconcileResult | void> => {
    const { clients, log } = this.deps;
    const { namespace, name } = splitKey(key);
    const job = this.deps.jobs.get(name, namespace);
    if (!job || job.metadata.deletionTimestamp) {
      this.written.forget(key);
      this.deps.metrics?.jobGone(key);
      return;
    }
    if (this.written.cacheIsBehind(key, job.metadata.resourceVersion)) return; // our write's event re-queues it
    const now = this.deps.now?.() ?? nowTimestamp();

    // A finished job keeps its status: only one that may still build is checked.
    const trust = isTerminal(job) ? undefined : await this.trust(job);
    const refusal = trust && !trust.trusted ? trust : undefined;
    let pod = this.deps.pods.get(podName(name), namespace);
    const nodeName = pod?.spec?.nodeName;
    const node = nodeName ? nodeHealth(this.deps.nodes?.get(nodeName)) : undefined;
    // Only the admin's registry is asked, whose tags are revisions: an output's own tag says nothing
    // about which revision it holds, and its credential is the tenant's.
    const lookUpExisting = trust?.trusted === true && !trust.tenantOutput && this.deps.imageLookup !== undefined;
    let observed: Parameters<typeof decideJob>[0] = { job, refusal, node, nodeLostSeconds: this.deps.config.build.nodeLostSeconds, now, pod, lookUpExisting };
    let decision = decideJob(observed);
    if (decision.verifyPod) {
      const live = await this.readPod(namespace, podName(name));
      pod = live;
      observed = { ...observed, pod, podGone: live === undefined };
      decision = decideJob(observed);
    }
    if (decision.lookUpImage && trust?.trusted) {
      observed = { ...observed, existingDigest: await this.existingDigest(trust.target.targetImage, namespace, name) };
      decision = decideJob(observed);
    }

    let { status, events } = decision;
    if (decision.createPod && trust?.trusted) {
      const refused = await this.createBuild({ ...job, spec: { ...job.spec, ...trust.target } });
      if (refused) ({ status, events } = refusedBuild(job, refused, now));
    }

    if (decision.deletePod && pod?.metadata?.name) {
      const deleted = await clients.core.deleteNamespacedPod({ name: pod.metadata.name, namespace, gracePeriodSeconds: 0 }).then(() => true, ignoreNotFound);
      if (deleted) log.info('Deleted Pod', { namespace, name: pod.metadata.name, imageSpecJob: name, reason: status.reason });
    }

    this.deps.metrics?.buildStatusDecided(key, job.status, status, pod?.status?.phase);
    if (!sameStatus(job.status, status)) {
      await patchCustomStatus(clients, IMAGESPECJOB_PLURAL, job, status);
      this.written.markWritten(key, job.metadata.resourceVersion);
      recordEvents(this.deps.events, eventSubject(API_VERSION, IMAGESPECJOB_KIND, job.metadata), events);
      // The end of a build is worth a line at info; the steps on the way are in status and at debug.
      log.log(isTerminal({ ...job, status }) ? 'info' : 'debug', 'Updated ImageSpecJob status', { namespace, name, phase: status.phase, reason: status.reason });
      this.deps.metrics?.buildStatusWritten(job.status, status);
      if (refusal && status.reason === refusal.reason) log.warn('Refused ImageSpecJob', { namespace, name, reason: refusal.reason });
    }
    if (decision.recheckAfterMs !== undefined) return { requeueAfterMs: decision.recheckAfterMs };
  };

  private async trust(job: ImageSpecJob): Promise<Trust> {
    const { config } = this.deps;
    const ref = controllingImageSpec(job);
    const namespace = job.metadata.namespace!;
    // The ImageSpec watch may lag behind the job's (a new leader's first moments): a job is
    // refused for a missing owner only once the API server confirms it is gone.
    const owner = ref ? (this.deps.imageSpecs.get(ref.name, namespace) ?? (await this.readImageSpec(namespace, ref.name))) : undefined;
    return trustJob({ job, owner, registry: config.registry, outputAllowed: config.outputAllowed });
  }

  /** The digest of the image already in the registry, or null: none, or the registry could not say (then it is built). */
  private async existingDigest(image: string, namespace: string, name: string): Promise<string | null> {
    const { imageLookup, log } = this.deps;
    if (!imageLookup) return null;
    try {
      const digest = (await imageLookup.digestOf(image, AbortSignal.timeout(LOOKUP_TIMEOUT_MS))) ?? null;
      if (digest) log.info('Found image in the registry; not building it', { namespace, name, image, digest });
      return digest;
    } catch (error) {
      log.debug('Could not ask the registry for the image; building it', { namespace, name, image, error: describeError(error) });
      return null;
    }
  }

  private async readImageSpec(namespace: string, name: string): Promise<ImageSpec | undefined> {
    return imageSpecClient(this.deps.clients.custom).get(namespace, name).catch(ignoreNotFound);
  }

  /**
   * Creates the build Pod (its first step fetches the build context from the controller), for a job whose target is the one derived
   * from the configuration. A request the API server refuses as
   * invalid cannot succeed on retry: it is returned as a terminal failure for the status.
   */
  private async createBuild(job: ImageSpecJob): Promise<string | undefined> {
    const { clients, config, log } = this.deps;
    const namespace = job.metadata.namespace!;
    if (!config.registry) return undefined;
    try {
      const pod = buildPod(job, config, this.contextUrlOf(job));
      // The answer is not read: kept as JSON (untyped-json.ts), it is not typed for nothing.
      const created = await untypedJson((options) => clients.core.createNamespacedPod({ namespace, body: pod }, options)).then(() => true, ignoreAlreadyExists);
      if (created) log.info('Created Pod', { namespace, name: pod.metadata?.name, imageSpecJob: job.metadata.name });
      return undefined;
    } catch (error) {
      if (!isInvalid(error)) throw error;
      const message = `The API server refused the build objects: ${apiMessage(error)}`;
      log.error('Could not create build Pod', { namespace, imageSpecJob: job.metadata.name, error: message });
      return message;
    }
  }

  /** Where this job's build Pod fetches its build context (main.ts fills in the bound address at start). */
  private contextUrlOf(job: ImageSpecJob): string {
    const { url, port } = this.deps.config.upload;
    return contextUrl(uploadBaseUrl(url, port), { namespace: job.metadata.namespace!, name: job.metadata.name! });
  }

  private async readPod(namespace: string, name: string): Promise<V1Pod | undefined> {
    return untypedJson<V1Pod>((options) => this.deps.clients.core.readNamespacedPod({ name, namespace }, options)).catch(ignoreNotFound);
  }
}
