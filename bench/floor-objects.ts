// The floor's objects: what the controller writes for one revision (its ImageSpecJob, the build
// context ConfigMap, the build Pod), copied from objects it created, under new names, in a
// namespace no controller watches.
import type { V1ConfigMap, V1ObjectMeta, V1Pod } from '@kubernetes/client-node';
import { configMapName, podName } from '../api/names.ts';
import { controllerReference } from '../api/owner-references.ts';
import { IMAGESPECJOB_KIND, LABEL_JOB, type ImageSpecJob } from '../api/types.ts';

/** One revision as the controller wrote it. */
export interface RevisionSample {
  job: ImageSpecJob;
  configMap: V1ConfigMap;
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

/** The ConfigMap and the Pod of the created job, owned by it as the controller's are. */
export function floorChildren(sample: RevisionSample, job: ImageSpecJob): { configMap: V1ConfigMap; pod: V1Pod } {
  const jobName = job.metadata.name!;
  const namespace = job.metadata.namespace!;
  const ownerReferences = [controllerReference(IMAGESPECJOB_KIND, job)];
  const configMap: V1ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { ...clientMetadata(sample.configMap.metadata, configMapName(jobName), namespace, jobName), ownerReferences },
    ...(sample.configMap.immutable === undefined ? {} : { immutable: sample.configMap.immutable }),
    data: { ...sample.configMap.data },
  };
  const spec = structuredClone(sample.pod.spec!);
  delete spec.nodeName;
  for (const volume of spec.volumes ?? []) {
    if (volume.configMap?.name === sample.configMap.metadata?.name) volume.configMap!.name = configMapName(jobName);
  }
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...clientMetadata(sample.pod.metadata, podName(jobName), namespace, jobName), ownerReferences },
    spec,
  };
  return { configMap, pod };
}
