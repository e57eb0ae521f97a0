// The revision of an ImageSpec: a SHA-256 hash over a canonical serialisation of everything that
// defines the image's content.
//
// In: baseImage, the apt, conda and pip lists (entries trimmed, order kept: install order matters),
// updateTime when set (changing it asks for a rebuild of the same content, as in PrimeHub), and the
// build arguments when there are any (by name: their order means nothing). A spec without build
// arguments hashes exactly as before they existed, so no image is rebuilt for their introduction.
// Also in: spec.output.image when set (where the image goes decides its tag and must rebuild).
// With spec.build instead of baseImage: the context's source and what the controller can see of its
// content (a ConfigMap's content digest, not its name; a claim's name and path, since its files are
// out of sight: updateTime rebuilds them; an archive's URL, digest and path: correcting a URL that
// could not be fetched builds again), the Dockerfile's path and the target stage.
// Out: pullSecret, spec.output.pushSecret, spec.env (it grants access to the base image, it does not change what is built; rotating
// or renaming a Secret must not rebuild) and all metadata (labels, annotations, name).
//
// The serialisation is JSON of a fixed-shape object with a format version, so list boundaries are
// unambiguous (["a,b"] and ["a", "b"] differ, unlike PrimeHub's comma-joined SHA-1) and a future
// change of what enters the hash is a deliberate new version, not an accident.
import { createHash } from 'node:crypto';
import { sortedBuildArgs, type DockerfileBuild, type ImageSpecSpec } from './types.ts';
import { normalizePackages } from './packages.ts';

export const REVISION_FORMAT = 1;
export const SHORT_REVISION_LENGTH = 12;

/** What the controller read of a build context to compute the revision: a ConfigMap's content digest. */
export interface ContextContent {
  sha256: string;
}

/** The Dockerfile's path when spec.build.dockerfile is absent. */
export const DEFAULT_DOCKERFILE = 'Dockerfile';

function canonicalContext(build: DockerfileBuild, content: ContextContent | undefined) {
  const claim = build.context.persistentVolumeClaim;
  if (claim) return { persistentVolumeClaim: [claim.claimName.trim(), claim.path?.trim() || null] };
  const url = build.context.url;
  if (url) return { url: [url.href, url.sha256, url.path?.trim() || null] };
  if (!content) throw new Error('The revision of a build from a ConfigMap needs the digest of its content');
  return { configMap: content.sha256 };
}

function canonicalBuild(build: DockerfileBuild, content: ContextContent | undefined) {
  return {
    context: canonicalContext(build, content),
    dockerfile: build.dockerfile?.trim() || DEFAULT_DOCKERFILE,
    target: build.target?.trim() || null,
  };
}

/** The exact string that is hashed; `content` is required when the spec builds from a ConfigMap. */
export function canonicalSpec(spec: ImageSpecSpec, content?: ContextContent): string {
  const packages = normalizePackages(spec.packages);
  const updateTime = spec.updateTime?.trim() ?? '';
  const buildArgs = sortedBuildArgs(spec.buildArgs ?? []).map(({ name, value }) => [name, value]);
  return JSON.stringify({
    format: REVISION_FORMAT,
    ...(spec.build ? { build: canonicalBuild(spec.build, content) } : { baseImage: (spec.baseImage ?? '').trim() }),
    packages: { apt: packages.apt, conda: packages.conda, pip: packages.pip },
    // "" and absent are the same: PrimeHub exports carry updateTime: "" when it was never set.
    updateTime: updateTime === '' ? null : updateTime,
    ...(buildArgs.length > 0 ? { buildArgs } : {}),
    ...(spec.output ? { output: spec.output.image.trim() } : {}),
  });
}

/** Full 64-hex SHA-256 revision of a (valid) spec. */
export function computeRevision(spec: ImageSpecSpec, content?: ContextContent): string {
  return createHash('sha256').update(canonicalSpec(spec, content), 'utf8').digest('hex');
}

/** The first 12 hex characters, used in names, labels and image tags. */
export function shortRevision(revision: string): string {
  return revision.slice(0, SHORT_REVISION_LENGTH);
}
