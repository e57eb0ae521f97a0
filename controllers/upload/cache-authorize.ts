// Whether a request may use a namespace's layer cache: the decision, from plain data.
//
// The caller is the build step of a build Pod, proving it with a service account token whose
// audience is the cache's and which the API server bound to that Pod. The namespace of the token's
// service account is the only cache it opens; the Pod must still be one of the controller's build
// Pods (controlled by an ImageSpecJob) and not finished. A tenant who reads such a token, or makes
// a Pod that looks like a build Pod, opens no more than the cache their own builds already share.
import type { V1Pod } from '@kubernetes/client-node';
import { controllerOf } from '../../api/owner-references.ts';
import { IMAGESPECJOB_KIND, LABEL_MANAGED_BY, MANAGED_BY } from '../../api/types.ts';
import { serviceAccountNamespace, type TokenIdentity } from './authorize.ts';
import { CACHE_TOKEN_AUDIENCE, type CacheRefusal } from './cache-route.ts';

export type CacheDecision = { allowed: true; namespace: string } | { allowed: false; refusal: CacheRefusal };

function refuse(status: number, code: string, message: string): CacheDecision {
  return { allowed: false, refusal: { status, code, message } };
}

/**
 * Who the caller is, before any repository is named: the namespace whose cache the token opens.
 * `namespaces`: those the controller serves (empty: all). `pod`: the Pod the token is bound to, read
 * in the token's namespace.
 */
export function authorizeCacheCaller(identity: TokenIdentity, pod: V1Pod | undefined, namespaces: readonly string[]): CacheDecision {
  if (!identity.authenticated || !(identity.audiences ?? []).includes(CACHE_TOKEN_AUDIENCE)) {
    return refuse(401, 'UNAUTHORIZED', `The API server did not accept the token for the audience ${CACHE_TOKEN_AUDIENCE}`);
  }
  const namespace = serviceAccountNamespace(identity.username);
  if (!namespace || !identity.podUid) return refuse(403, 'DENIED', 'Only a build Pod\'s token opens the layer cache: this token is not bound to a Pod');
  if (namespaces.length > 0 && !namespaces.includes(namespace)) return refuse(403, 'DENIED', `The controller does not serve namespace ${namespace}`);
  const ours = pod?.metadata?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY && controllerOf(pod.metadata)?.kind === IMAGESPECJOB_KIND;
  if (!pod || pod.metadata?.uid !== identity.podUid || !ours) {
    return refuse(403, 'DENIED', `Only a build Pod opens the layer cache: the token's Pod is not one of namespace ${namespace}'s build Pods`);
  }
  if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
    return refuse(403, 'DENIED', `Build Pod ${namespace}/${pod.metadata?.name ?? ''} has finished: its token no longer opens the layer cache`);
  }
  return { allowed: true, namespace };
}

/** Whether the caller may use the cache of `namespace`, the one the request's path names. */
export function authorizeCacheRepository(caller: CacheDecision, namespace: string): CacheDecision {
  if (!caller.allowed) return caller;
  if (caller.namespace !== namespace) {
    return refuse(403, 'DENIED', `A build Pod of namespace ${caller.namespace} may use only its own namespace's layer cache, not ${namespace}'s`);
  }
  return caller;
}
