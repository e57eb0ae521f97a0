// Lists and watches that carry only objects' metadata (PartialObjectMetadata), the way client-go's
// metadata informers work: for a kind the controller must notice changes of but need not hold,
// such as every ConfigMap of the cluster when a few ImageSpecs build from one.
import { ListWatch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { InformerFactory } from './informer.ts';
import { StreamingWatch, WATCH_INACTIVITY_MS } from './streaming-watch.ts';

export const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
export const METADATA_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

/** An informer whose watch asks for metadata only; its list must ask the same (METADATA_LIST_ACCEPT). */
export function metadataInformer<T extends KubernetesObject>(): InformerFactory<T> {
  return (kubeConfig: KubeConfig, path: string, list: () => Promise<KubernetesListObject<T>>, labelSelector?: string) =>
    new ListWatch<T>(path, new StreamingWatch(kubeConfig, WATCH_INACTIVITY_MS, METADATA_ACCEPT), list, false, labelSelector);
}
