// The image a push goes to. The controller derives every target itself as host[:port]/path:tag,
// so the first component is always the registry (no Docker Hub defaults to apply).
import { PATTERNS } from '../api/grammar.ts';

export interface TargetImage {
  /** host[:port] */
  registry: string;
  /** The path inside the registry, e.g. team-a/web. */
  repository: string;
  tag: string;
}

const IMAGE_REFERENCE = new RegExp(PATTERNS.imageReference);

/** `127.0.0.1:5000/team-a/web:0123456789ab` -> { registry: '127.0.0.1:5000', repository: 'team-a/web', tag: '0123456789ab' }. */
export function parseTargetImage(reference: string): TargetImage {
  const slash = reference.indexOf('/');
  const colon = reference.lastIndexOf(':');
  if (!IMAGE_REFERENCE.test(reference) || reference.includes('@') || slash <= 0 || colon < slash) {
    throw new Error(`The target image "${reference}" is not of the form host[:port]/path:tag.`);
  }
  return { registry: reference.slice(0, slash), repository: reference.slice(slash + 1, colon), tag: reference.slice(colon + 1) };
}

export function formatTargetImage(target: TargetImage): string {
  return `${target.registry}/${target.repository}:${target.tag}`;
}
