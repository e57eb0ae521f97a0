// Whether the admin allows an ImageSpec's build context source (IMAGESPEC_BUILD_CONTEXT_SOURCES). Pure.
import type { DockerfileBuild } from '../../api/types.ts';
import type { FieldError } from '../../api/validate.ts';
import { contextSourceKind, type ContextSourceKind } from '../../api/context-sources.ts';

/** A spec.build.context source the admin turned off, as a problem naming the field. */
export function contextRefusals(build: DockerfileBuild | undefined, allowed: readonly ContextSourceKind[]): FieldError[] {
  if (!build) return [];
  const kind = contextSourceKind(build.context);
  if (kind === undefined || allowed.includes(kind)) return [];
  const which = allowed.length > 0 ? `the administrator allows ${allowed.join(', ')}` : 'the administrator allows no Dockerfile builds';
  return [{ path: `spec.build.context.${kind}`, message: `builds from a ${kind} context are turned off in this cluster (${which}; IMAGESPEC_BUILD_CONTEXT_SOURCES)` }];
}
