// Reads the ImageSpec manifest the CLI is given: a YAML (or JSON) file, or `-` for stdin.
import yaml from 'js-yaml';
import { escapeUnsafe } from '../api/display.ts';
import { checkExpandedSize, ManifestRefused, YamlGuard, type WorkMeter } from './yaml-guard.ts';

/**
 * YAML as kubectl reads it: the core schema (so an unquoted updateTime stays a string, where
 * js-yaml's default schema would make it a Date) plus merge keys. Numbers stay numbers (3.10 is
 * 3.1 for kubectl too): validation reports them where a string belongs.
 */
// js-yaml exports its built-in types at run time; @types/js-yaml does not declare them.
const { merge } = (yaml as unknown as { types: { merge: yaml.Type } }).types;
const KUBECTL_LIKE_SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [merge] });

/**
 * Bounds on what the CLI reads, far above any real ImageSpec (a few KB; the largest the schema
 * allows, 768 packages of 256 characters, is about 210 KB of YAML, twice that exported with
 * kubectl's last-applied annotation): whatever the input, it is refused within about a second
 * and 200 MB.
 */
export const MANIFEST_LIMITS = {
  bytes: 512 * 1024,
  /** Nodes plus characters once aliases are expanded. */
  expandedSize: 2_000_000,
  /** Nesting of mappings and sequences (an ImageSpec needs 4). */
  depth: 64,
} as const;

export type ParsedManifest = { ok: true; document: unknown } | { ok: false; error: string };

/**
 * Exactly one non-empty document, or an error naming the file (and line, for YAML errors, and the
 * field path of a duplicated key). `meter` counts the guards' work.
 */
export function parseManifest(text: string, source: string, meter: WorkMeter = { units: 0 }): ParsedManifest {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MANIFEST_LIMITS.bytes) return { ok: false, error: `${source}: too large for an ImageSpec manifest: ${bytes} bytes, more than ${MANIFEST_LIMITS.bytes}` };
  const guard = new YamlGuard(text, MANIFEST_LIMITS.expandedSize, meter);
  let documents: unknown[];
  try {
    const options = { schema: KUBECTL_LIKE_SCHEMA, filename: source, listener: guard.listener, maxDepth: MANIFEST_LIMITS.depth };
    documents = yaml.loadAll(text, null, options).filter((doc) => doc !== null && doc !== undefined);
    for (const document of documents) checkExpandedSize(document, MANIFEST_LIMITS.expandedSize, meter);
  } catch (error) {
    if (error instanceof ManifestRefused) return { ok: false, error: `${source}: ${error.message}` };
    if (error instanceof yaml.YAMLException) {
      const { mark, reason } = error;
      const where = mark ? `${mark.line + 1}:${mark.column + 1}:` : '';
      const what = reason === 'duplicated mapping key' ? `duplicated key ${guard.duplicateKeyPath()} (a key may appear only once in a mapping)` : reason;
      return { ok: false, error: `${source}:${where} YAML error: ${escapeUnsafe(what)}` };
    }
    throw error;
  }
  if (documents.length === 0) return { ok: false, error: `${source}: no document found (expected one ImageSpec)` };
  if (documents.length > 1) return { ok: false, error: `${source}: ${documents.length} documents found (expected one ImageSpec)` };
  return { ok: true, document: documents[0] };
}
