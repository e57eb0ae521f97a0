// The floor's objects: what the controller writes for one revision (its ImageSpecJob and the build
// Pod, whose annotations carry the build context), copied from objects it created, under new
// names, in a namespace no controller watches.
import type { V1ObjectMeta, V1Pod } from '@kubernetes/client-node';
import { podName } from '../api/names.ts';
import { controllerReference } from '../api/owner-references.ts';
import { IMAGESPECJOB_KIND, LABEL_JOB, type ImageSpecJob } from '../api/types.ts';

/** One revision as the controller wrote it. */
export interface RevisionSample {
  job: ImageSpecJob;
  pod: V1Pod;
}

/** The metadata a client sends: what the API server fills in is dropped, the names are new. */
function clientMetadata(metadata: Pick<V1ObjectMeta, 'labels' | 'annotations'> | undefined, name: string, namespace: string, jobName: string): V1ObjectMeta {
  const labels = metadata?.labels ? { ...metadata.labels } : undefined;
  if (labels?.[LABEL_JOB]) labels[LABEL_JOB] = jobName;
  return {
    name,
    namespace,
    ...(labels ? { labels } : {}),
    ...(metadata?.annotations ? { annotations: { ...metadata.annotations } } : {}),
  };
}

/**
 * The job without its owner: no ImageSpec exists in the floor namespace, and the garbage collector
 * deletes an object whose owner is missing.
 */
export function floorJob(sample: RevisionSample, name: string, namespace: string): ImageSpecJob {
  return { apiVersion: sample.job.apiVersion, kind: sample.job.kind, metadata: clientMetadata(sample.job.metadata, name, namespace, name), spec: { ...sample.job.spec } };
}

/**
 * The Pod of the created job, owned by it as the controller's is: the same spec (node selector
 * included, so the scheduler binds it as it bound the sample) and the same annotations (the build
 * context), not yet bound to a node.
 */
export function floorPod(sample: RevisionSample, job: ImageSpecJob): V1Pod {
  const jobName = job.metadata.name!;
  const spec = structuredClone(sample.pod.spec!);
  delete spec.nodeName;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...clientMetadata(sample.pod.metadata, podName(jobName), job.metadata.namespace!, jobName), ownerReferences: [controllerReference(IMAGESPECJOB_KIND, job)] },
    spec,
  };
}
