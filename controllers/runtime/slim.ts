// What the caches keep of each object. Informers hold every watched object for the process's
// life, and most of an object is never read by a decision: managedFields alone is often the
// largest part of it, and a build Pod carries its whole build context in annotations. Dropping
// them on arrival keeps memory proportional to what the controller actually uses.
import type { KubernetesObject, V1Container, V1Node, V1Pod } from '@kubernetes/client-node';

/** Removes what no decision reads from any object: the field managers' bookkeeping. */
export function slimObject<T extends KubernetesObject>(obj: T): T {
  if (obj.metadata?.managedFields) delete obj.metadata.managedFields;
  return obj;
}

const slimContainer = (container: V1Container): V1Container => ({
  name: container.name,
  ...(container.resources ? { resources: container.resources } : {}),
});

/**
 * A build Pod as the decisions read it: metadata without the annotations under `dropAnnotationPrefix`
 * (the build context), the spec fields the status mapping quotes (node, deadline, each step's
 * resources), and the whole status.
 */
export function slimPod(pod: V1Pod, dropAnnotationPrefix: string): V1Pod {
  slimObject(pod);
  const annotations = pod.metadata?.annotations;
  if (annotations) {
    for (const key of Object.keys(annotations)) if (key.startsWith(dropAnnotationPrefix)) delete annotations[key];
  }
  const spec = pod.spec;
  if (spec) {
    pod.spec = {
      containers: spec.containers.map(slimContainer),
      ...(spec.initContainers ? { initContainers: spec.initContainers.map(slimContainer) } : {}),
      ...(spec.nodeName ? { nodeName: spec.nodeName } : {}),
      ...(spec.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: spec.activeDeadlineSeconds } : {}),
    };
  }
  return pod;
}

/** A Node as the build health check reads it: its metadata and conditions (not its image list, addresses...). */
export function slimNode(node: V1Node): V1Node {
  slimObject(node);
  delete node.spec;
  const conditions = node.status?.conditions;
  node.status = conditions ? { conditions } : {};
  return node;
}

/**
 * An object kept only to tell who it is (ConfigMaps watched to re-queue the ImageSpecs naming
 * them): name, namespace, uid and resourceVersion. Even metadata-only objects can be large: a
 * client-side `kubectl apply` leaves the whole object, data included, in an annotation.
 */
export function slimToIdentity<T extends KubernetesObject>(obj: T): T {
  const { name, namespace, uid, resourceVersion } = obj.metadata ?? {};
  for (const key of Object.keys(obj)) if (key !== 'apiVersion' && key !== 'kind') delete (obj as Record<string, unknown>)[key];
  obj.metadata = { ...(name ? { name } : {}), ...(namespace ? { namespace } : {}), ...(uid ? { uid } : {}), ...(resourceVersion ? { resourceVersion } : {}) };
  return obj;
}
