// The user's own build context (spec.build) for a build Pod: a ConfigMap's files, served only
// while they still have the digest the job recorded. A ConfigMap edited since the job was created
// is a newer revision's context (the ImageSpec controller creates that revision); building it
// under this job's name would push one revision's tag with another revision's content. The answer
// is 412 (Precondition Failed), which the context step alone reports as ContextChanged.
import type { JobDockerfileBuild } from '../../api/types.ts';
import { configMapFiles, contextDigest, type ConfigMapContent } from '../../api/configmap-context.ts';
import { ignoreNotFound } from '../runtime/errors.ts';
import type { Clients } from '../runtime/kube.ts';
import { contextSourceKind, type ContextSourceKind } from '../../api/context-sources.ts';

export type SourceContext = { files: Record<string, Buffer> } | { status: number; message: string };

/** Pure: the files of a ConfigMap as the job's context, or why they are not. */
export function checkedSourceFiles(build: JobDockerfileBuild, configMap: ConfigMapContent | undefined, namespace: string): SourceContext {
  const expected = build.context.configMap;
  if (!expected) return { status: 422, message: 'The ImageSpecJob names no build context source this controller knows' };
  if (!configMap) {
    return { status: 412, message: `ConfigMap "${expected.name}" (the build context) no longer exists in namespace ${namespace}` };
  }
  const files = configMapFiles(configMap);
  const digest = contextDigest(files);
  if (digest !== expected.sha256) {
    return {
      status: 412,
      message: `ConfigMap "${expected.name}" (the build context) changed after this revision was created (content sha256:${digest.slice(0, 12)}, this revision built sha256:${expected.sha256.slice(0, 12)}); the ImageSpec builds the new content as a new revision`,
    };
  }
  return { files };
}

/**
 * Reads the job's ConfigMap context (in the job's own namespace only) and checks it; undefined for
 * a claim or an archive. A source the admin turned off is refused here too: a job made before the change, or by
 * hand, builds nothing.
 */
export async function readSourceContext(
  clients: Clients,
  namespace: string,
  build: JobDockerfileBuild,
  allowed: readonly ContextSourceKind[],
): Promise<SourceContext | undefined> {
  const kind = contextSourceKind(build.context);
  if (kind && !allowed.includes(kind)) {
    return { status: 403, message: `Builds from a ${kind} context are turned off in this cluster (IMAGESPEC_BUILD_CONTEXT_SOURCES)` };
  }
  // A claim is mounted into the build step, an archive downloaded by the Pod: nothing of either travels in the context.
  if (kind === 'persistentVolumeClaim' || kind === 'url') return undefined;
  const name = build.context.configMap?.name;
  const configMap = name ? await clients.core.readNamespacedConfigMap({ name, namespace }).catch(ignoreNotFound) : undefined;
  return checkedSourceFiles(build, configMap, namespace);
}
