// I/O edge of the ImageSpec controller: reads the caches, asks decideImageSpec, applies.
import {
  ANNOTATION_CANCEL,
  API_VERSION,
  IMAGESPEC_KIND,
  IMAGESPEC_PLURAL,
  type ImageSpec,
  type ImageSpecJob,
  type PersistentVolumeClaimContext,
  type UrlContext,
} from '../../api/types.ts';
import type { Config } from '../../config/types.ts';
import { validateImageSpec, normalizePackages, type FieldError } from '../../api/validate.ts';
import { controllerOf } from '../../api/owner-references.ts';
import { computeRevision } from '../../api/revision.ts';
import { nowTimestamp } from '../../api/time.ts';
import type { Cache } from '../runtime/cache.ts';
import { ignoreAlreadyExists, ignoreNotFound } from '../runtime/errors.ts';
import { envRefusals } from '../imagespecjob/build-env.ts';
import { outputRefusals } from './output.ts';
import { imageSpecJobClient } from '../runtime/custom-objects.ts';
import { metadataOnly, patchCustomStatus, sameStatus, splitKey, type Clients } from '../runtime/kube.ts';
import type { Logger } from '../runtime/logger.ts';
import { eventSubject } from '../runtime/eventbody.ts';
import { recordEvents, type EventRecorder } from '../runtime/events.ts';
import type { PropagationMetrics } from '../runtime/metrics.ts';
import type { ReconcileResult } from '../runtime/worker.ts';
import { WrittenVersions } from '../runtime/written.ts';
import { decideImageSpec, type ImageSpecObservation } from './decide.ts';
import { contextRefusals } from './context-source.ts';
import { configMapFiles, contextDigest } from '../../api/configmap-context.ts';

export interface ImageSpecControllerDeps {
  clients: Clients;
  imageSpecs: Cache<ImageSpec>;
  /** The cached ImageSpecJobs labelled or owned as children of the named ImageSpec. */
  jobsOf: (namespace: string, imageSpecName: string) => ImageSpecJob[];
  config: Config;
  log: Logger;
  /** Tells what the reconciles did as Kubernetes Events; none when absent. */
  events?: EventRecorder;
  now?: () => string;
  metrics?: PropagationMetrics;
}

interface SpecAnalysis {
  problems: FieldError[];
  /** spec.env names, a spec.output and a spec.build.context source the admin does not allow (the configuration is fixed for the process's life). */
  envRefused: FieldError[];
  outputRefused: FieldError[];
  contextRefused: FieldError[];
  /** The revision, unless a ConfigMap context's content (read at each reconcile) is part of it. */
  revision: string;
  packages: ReturnType<typeof normalizePackages>;
}

/** While a pull or push Secret or a context's claim is missing (none is watched), look again this often. */
const PULL_SECRET_RECHECK_MS = 10_000;

export function controlledBy(job: ImageSpecJob, imageSpec: ImageSpec): boolean {
  return controllerOf(job.metadata)?.uid === imageSpec.metadata.uid;
}

export class ImageSpecController {
  private readonly deps: ImageSpecControllerDeps;
  private readonly written = new WrittenVersions();
  /** Validation and revision of each ImageSpec's spec, which only a new generation can change. */
  private readonly analyses = new Map<string, SpecAnalysis & { uid?: string; generation?: number }>();

  constructor(deps: ImageSpecControllerDeps) {
    this.deps = deps;
  }

  private analyse(key: string, imageSpec: ImageSpec): SpecAnalysis {
    const { uid, generation } = imageSpec.metadata;
    const known = this.analyses.get(key);
    if (known && generation !== undefined && known.uid === uid && known.generation === generation) return known;
    const validation = validateImageSpec({ apiVersion: API_VERSION, kind: IMAGESPEC_KIND, ...imageSpec });
    const problems: FieldError[] = validation.ok ? [] : validation.errors;
    const analysis: SpecAnalysis = {
      problems,
      envRefused: problems.length === 0 ? envRefusals(imageSpec.spec.env, this.deps.config.build.env.allowed) : [],
      outputRefused: problems.length === 0 ? outputRefusals(imageSpec.spec.output, this.deps.config.outputAllowed) : [],
      contextRefused: problems.length === 0 ? contextRefusals(imageSpec.spec.build, this.deps.config.build.contextSources) : [],
      // A ConfigMap context's content is part of the revision: read at each reconcile, not here.
      revision: problems.length === 0 && !imageSpec.spec.build?.context.configMap ? computeRevision(imageSpec.spec) : '',
      packages: normalizePackages(imageSpec.spec.packages),
    };
    this.analyses.set(key, { ...analysis, ...(uid !== undefined ? { uid } : {}), ...(generation !== undefined ? { generation } : {}) });
    return analysis;
  }

  reconcile = async (key: string): Promise<ReconcileResult | void> => {
    const { clients, config, log } = this.deps;
    const { namespace, name } = splitKey(key);
    const imageSpec = this.deps.imageSpecs.get(name, namespace);
    if (!imageSpec || imageSpec.metadata.deletionTimestamp) {
      this.written.forget(key);
      this.analyses.delete(key);
      return; // children go with the garbage collector
    }
    if (this.written.cacheIsBehind(key, imageSpec.metadata.resourceVersion)) return; // our write's event re-queues it
    const eventsAbout = eventSubject(API_VERSION, IMAGESPEC_KIND, imageSpec.metadata);

    const analysis = this.analyse(key, imageSpec);
    const { problems, envRefused, outputRefused, contextRefused, packages } = analysis;
    const refused = envRefused.length > 0 || outputRefused.length > 0 || contextRefused.length > 0;
    const configMapName = problems.length === 0 && !refused ? imageSpec.spec.build?.context.configMap?.name : undefined;
    let context = configMapName ? await this.readConfigMapContext(namespace, configMapName) : undefined;
    const revision = context && 'configMap' in context ? computeRevision(imageSpec.spec, context.configMap) : analysis.revision;
    const jobs = this.deps.jobsOf(namespace, name).filter((job) => controlledBy(job, imageSpec));
    const hasCurrentJob = jobs.some((job) => job.spec.revision === revision);

    const canBuild = problems.length === 0 && !refused && revision !== '' && !hasCurrentJob && (config.registry || imageSpec.spec.output);
    // A claim's files are out of sight; that it exists is checked before its job is created.
    const claim = canBuild ? imageSpec.spec.build?.context.persistentVolumeClaim : undefined;
    if (claim) context = await this.readClaimContext(namespace, claim);
    // An archive is the build Pod's to download: the controller never contacts its URL.
    const url = canBuild ? imageSpec.spec.build?.context.url : undefined;
    if (url) context = { url: archiveContext(url) };
    const pullSecretMissing = canBuild && imageSpec.spec.pullSecret ? await this.secretMissing(namespace, imageSpec.spec.pullSecret) : false;
    const pushSecret = imageSpec.spec.output?.pushSecret;
    const pushSecretMissing = canBuild && !pullSecretMissing && pushSecret ? await this.secretMissing(namespace, pushSecret) : false;

    const decision = decideImageSpec({
      imageSpec,
      problems,
      envRefused,
      outputRefused,
      contextRefused,
      ...(context ? { context } : {}),
      revision,
      packages,
      registry: config.registry,
      pullSecretMissing,
      pushSecretMissing,
      jobs,
      historySucceeded: config.historySucceeded,
      historyFailed: config.historyFailed,
      now: this.deps.now?.() ?? nowTimestamp(),
    });

    const jobClient = imageSpecJobClient(clients.custom);
    if (decision.createJob) {
      const created = await jobClient.create(namespace, decision.createJob).then(() => true, ignoreAlreadyExists);
      if (created) {
        log.info('Created ImageSpecJob', { namespace, name: decision.createJob.metadata.name, imageSpec: name, revision });
        recordEvents(this.deps.events, eventsAbout, [decision.createdEvent]);
      }
    }

    for (const { job, message, event } of decision.cancel) {
      await jobClient.patch(namespace, job.metadata.name!, { metadata: { annotations: { [ANNOTATION_CANCEL]: message } } });
      log.info('Requested cancellation of ImageSpecJob', { namespace, name: job.metadata.name, reason: message });
      recordEvents(this.deps.events, eventsAbout, [event]);
    }

    for (const job of decision.prune) {
      const deleted = await jobClient.delete(namespace, job.metadata.name!).then(() => true, ignoreNotFound);
      if (deleted) log.info('Deleted ImageSpecJob beyond the history limit', { namespace, name: job.metadata.name, phase: job.status?.phase });
    }

    if (!sameStatus(imageSpec.status, decision.status)) {
      await patchCustomStatus(clients, IMAGESPEC_PLURAL, imageSpec, decision.status);
      this.written.markWritten(key, imageSpec.metadata.resourceVersion);
      recordEvents(this.deps.events, eventsAbout, decision.statusEvents);
      log.debug('Updated ImageSpec status', { namespace, name, phase: decision.status.phase });
      this.deps.metrics?.imageSpecStatusWritten(namespace, decision.status);
    }

    // Secrets and claims are not watched: while one is missing, look again.
    const claimMissing = context !== undefined && 'missing' in context && context.missing.kind === 'PersistentVolumeClaim';
    if (pullSecretMissing || pushSecretMissing || claimMissing) return { requeueAfterMs: PULL_SECRET_RECHECK_MS };
  };

  /**
   * The ConfigMap of a context, read now (its content decides the revision): in the ImageSpec's
   * own namespace only, and never logged or written anywhere but as its digest.
   */
  private async readConfigMapContext(namespace: string, name: string): Promise<NonNullable<ImageSpecObservation['context']>> {
    const configMap = await this.deps.clients.core.readNamespacedConfigMap({ name, namespace }).catch(ignoreNotFound);
    if (!configMap) return { missing: { kind: 'ConfigMap', name, field: 'spec.build.context.configMap.name' } };
    return { configMap: { name, sha256: contextDigest(configMapFiles(configMap)) } };
  }

  /** The claim of a context, if it exists in the ImageSpec's namespace and is not being deleted (its metadata only). */
  private async readClaimContext(namespace: string, claim: PersistentVolumeClaimContext): Promise<NonNullable<ImageSpecObservation['context']>> {
    const claimName = claim.claimName.trim();
    const found = await this.deps.clients.core.readNamespacedPersistentVolumeClaim({ name: claimName, namespace }, metadataOnly()).catch(ignoreNotFound);
    // A claim being deleted cannot be mounted by a new Pod: the build would wait unscheduled.
    if (!found || found.metadata?.deletionTimestamp) return { missing: { kind: 'PersistentVolumeClaim', name: claimName, field: 'spec.build.context.persistentVolumeClaim.claimName' } };
    const path = claim.path?.trim();
    return { persistentVolumeClaim: { claimName, ...(path ? { path } : {}) } };
  }

  /**
   * Only in the ImageSpec's own namespace, and only the metadata: the controller never holds a
   * tenant's pull credential, and the answer tells the tenant nothing beyond "not found here".
   */
  private async secretMissing(namespace: string, name: string): Promise<boolean> {
    const found = await this.deps.clients.core.readNamespacedSecret({ name, namespace }, metadataOnly()).then(() => true, ignoreNotFound);
    return !found;
  }
}

/** spec.build.context.url as the job records it. */
function archiveContext(url: UrlContext): UrlContext {
  const path = url.path?.trim();
  return { href: url.href, sha256: url.sha256, ...(path ? { path } : {}) };
}
