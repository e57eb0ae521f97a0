// Owner references: how the controller marks what it created and finds who controls an object.
import { API_VERSION, type ObjectMeta, type OwnerReference } from './types.ts';

/** The reference that makes `owner` (one of our kinds) the controller of a child; garbage collection follows it. */
export function controllerReference(kind: string, owner: { metadata: ObjectMeta }): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The controller reference of an object, if any (the API server allows at most one). */
export function controllerOf(metadata: { ownerReferences?: readonly OwnerReference[] } | undefined): OwnerReference | undefined {
  return metadata?.ownerReferences?.find((ref) => ref.controller === true);
}
