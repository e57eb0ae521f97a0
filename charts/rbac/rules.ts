// The RBAC rights the controller's API calls need: a table from client-node methods to
// (apiGroup, resource, verb), and where the right is needed. A method missing from the table is an
// error, so a new kind of call cannot slip past the chart's RBAC test.
import type { ApiCall } from './api-calls.ts';

/**
 * watched: every namespace the controller watches; leaderElection: the release namespace (the
 * Lease); cluster: cluster-scoped resources (TokenReviews, Nodes).
 */
export type Scope = 'watched' | 'leaderElection' | 'cluster';

export interface Permission {
  scope: Scope;
  group: string;
  /** resource or resource/subresource */
  resource: string;
  verb: string;
}

type Right = { group: string; resource: string; verb: string; scope?: Scope };

const core = (resource: string, verb: string): Right => ({ group: '', resource, verb });

/** Typed clients: the method names the verb and the resource. */
export const METHOD_RIGHTS: Readonly<Record<string, Right>> = {
  'CoreV1Api.readNamespacedPod': core('pods', 'get'),
  'CoreV1Api.listNamespacedPod': core('pods', 'list'),
  'CoreV1Api.listPodForAllNamespaces': core('pods', 'list'),
  'CoreV1Api.createNamespacedPod': core('pods', 'create'),
  'CoreV1Api.deleteNamespacedPod': core('pods', 'delete'),
  'CoreV1Api.readNamespacedSecret': core('secrets', 'get'),
  // ConfigMaps a Dockerfile build names as its context (spec.build.context.configMap): read one
  // when computing the revision and serving the context; the rest watched as metadata only.
  'CoreV1Api.readNamespacedConfigMap': core('configmaps', 'get'),
  'CoreV1Api.listNamespacedConfigMap': core('configmaps', 'list'),
  'CoreV1Api.listConfigMapForAllNamespaces': core('configmaps', 'list'),
  // A claim a Dockerfile build names as its context: that it exists (metadata only).
  'CoreV1Api.readNamespacedPersistentVolumeClaim': core('persistentvolumeclaims', 'get'),
  'CoreV1Api.listNode': { group: '', resource: 'nodes', verb: 'list', scope: 'cluster' },
  'AuthenticationV1Api.createTokenReview': { group: 'authentication.k8s.io', resource: 'tokenreviews', verb: 'create', scope: 'cluster' },
  'CoordinationV1Api.readNamespacedLease': { group: 'coordination.k8s.io', resource: 'leases', verb: 'get', scope: 'leaderElection' },
  'CoordinationV1Api.createNamespacedLease': { group: 'coordination.k8s.io', resource: 'leases', verb: 'create', scope: 'leaderElection' },
  'CoordinationV1Api.replaceNamespacedLease': { group: 'coordination.k8s.io', resource: 'leases', verb: 'update', scope: 'leaderElection' },
  'EventsV1Api.createNamespacedEvent': { group: 'events.k8s.io', resource: 'events', verb: 'create' },
  'EventsV1Api.patchNamespacedEvent': { group: 'events.k8s.io', resource: 'events', verb: 'patch' },
};

/** CustomObjectsApi: the method names the verb; group and plural come from the call's arguments. */
export const CUSTOM_OBJECT_RIGHTS: Readonly<Record<string, { verb: string; subresource?: string }>> = {
  getNamespacedCustomObject: { verb: 'get' },
  listNamespacedCustomObject: { verb: 'list' },
  listClusterCustomObject: { verb: 'list' },
  createNamespacedCustomObject: { verb: 'create' },
  patchNamespacedCustomObject: { verb: 'patch' },
  replaceNamespacedCustomObject: { verb: 'update' },
  deleteNamespacedCustomObject: { verb: 'delete' },
  patchNamespacedCustomObjectStatus: { verb: 'patch', subresource: 'status' },
  replaceNamespacedCustomObjectStatus: { verb: 'update', subresource: 'status' },
};

export const permissionKey = (p: Permission) => `${p.scope} ${p.group || '""'} ${p.resource} ${p.verb}`;

/** The rights the calls need, deduplicated and sorted; throws naming every call the tables do not know. */
export function permissionsOf(calls: readonly ApiCall[]): Permission[] {
  const unknown: string[] = [];
  const needed = new Map<string, Permission>();
  const add = (p: Permission) => needed.set(permissionKey(p), p);
  for (const call of calls) {
    for (const right of rightsOf(call)) {
      if (!right) {
        unknown.push(`${call.api}.${call.method} (${call.file}:${call.line})`);
        continue;
      }
      const permission = { scope: right.scope ?? 'watched', group: right.group, resource: right.resource, verb: right.verb };
      add(permission);
      // An informer lists once, then watches the same collection.
      if (call.informer && right.verb === 'list') add({ ...permission, verb: 'watch' });
    }
  }
  if (unknown.length > 0) {
    throw new Error(`API calls missing from charts/rbac/rules.ts (add their group, resource and verb):\n  ${unknown.join('\n  ')}`);
  }
  return [...needed.values()].sort((a, b) => permissionKey(a).localeCompare(permissionKey(b)));
}

/** One right per (group, plural) for custom objects; one undefined for a method the tables lack. */
function rightsOf(call: ApiCall): (Right | undefined)[] {
  if (call.api !== 'CustomObjectsApi') return [METHOD_RIGHTS[`${call.api}.${call.method}`]];
  const custom = CUSTOM_OBJECT_RIGHTS[call.method];
  if (!custom) return [undefined];
  return (call.groups ?? []).flatMap((group) =>
    (call.plurals ?? []).map((plural) => ({ group, resource: custom.subresource ? `${plural}/${custom.subresource}` : plural, verb: custom.verb })),
  );
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** The permissions RBAC rules grant, one per (group, resource, verb); a wildcard is refused outright. */
export function grantedBy(rules: readonly PolicyRule[], scope: Scope): Permission[] {
  const granted = new Map<string, Permission>();
  for (const rule of rules) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        for (const verb of rule.verbs) {
          if ([group, resource, verb].includes('*')) throw new Error(`wildcard in an RBAC rule: ${JSON.stringify(rule)}`);
          const permission = { scope, group, resource, verb };
          granted.set(permissionKey(permission), permission);
        }
      }
    }
  }
  return [...granted.values()].sort((a, b) => permissionKey(a).localeCompare(permissionKey(b)));
}
