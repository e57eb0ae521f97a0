// An ImageSpec's own push target (spec.output): where its image goes, and whether the admin
// allows it there (IMAGESPEC_OUTPUT_ALLOWED). Pure.
import { escapeUnsafe } from '../../api/display.ts';
import { shortRevision } from '../../api/revision.ts';
import type { ImageSpecOutput } from '../../api/types.ts';
import type { FieldError } from '../../api/validate.ts';
import { qualifyImageReference } from '../../render/image-reference.ts';

/** `registry/path[:tag]` -> repository and tag; a ":" after the last "/" starts the tag. */
function splitTag(image: string): { repository: string; tag: string | undefined } {
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? { repository: image.slice(0, colon), tag: image.slice(colon + 1) } : { repository: image, tag: undefined };
}

/** The repository the output image names, registry included (docker.io for bare names). */
export function outputRepository(output: ImageSpecOutput): string {
  return splitTag(qualifyImageReference(output.image.trim())).repository;
}

/** The reference a revision is pushed to: the output image, tagged with the revision unless it has a tag. */
export function outputTarget(output: ImageSpecOutput, revision: string): string {
  const { tag } = splitTag(output.image.trim());
  return `${outputRepository(output)}:${tag ?? shortRevision(revision)}`;
}

/** An allowed entry is a registry (every repository on it) or a repository prefix, by whole path components. */
export function outputAllowed(output: ImageSpecOutput, allowed: readonly string[]): boolean {
  const repository = outputRepository(output);
  return allowed.some((entry) => {
    const prefix = entry.replace(/\/+$/, '');
    return repository === prefix || repository.startsWith(`${prefix}/`);
  });
}

/** spec.output.image outside what the admin allows, as a problem naming the field. */
export function outputRefusals(output: ImageSpecOutput | undefined, allowed: readonly string[]): FieldError[] {
  if (!output || outputAllowed(output, allowed)) return [];
  const which = allowed.length > 0 ? `the administrator allows ${allowed.join(', ')}` : 'the administrator allows none';
  return [{ path: 'spec.output.image', message: `${JSON.stringify(escapeUnsafe(output.image))} is outside where this cluster lets an ImageSpec push (${which}; IMAGESPEC_OUTPUT_ALLOWED)` }];
}
