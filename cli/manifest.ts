// Reads the ImageSpec manifest the CLI is given: a YAML (or JSON) file, or `-` for stdin.
import yaml from 'js-yaml';

/**
 * YAML as kubectl reads it: the core schema (so an unquoted updateTime stays a string, where
 * js-yaml's default schema would make it a Date) plus merge keys. Numbers stay numbers (3.10 is
 * 3.1 for kubectl too): validation reports them where a string belongs.
 */
// js-yaml exports its built-in types at run time; @types/js-yaml does not declare them.
const { merge } = (yaml as unknown as { types: { merge: yaml.Type } }).types;
const KUBECTL_LIKE_SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [merge] });

export type ParsedManifest = { ok: true; document: unknown } | { ok: false; error: string };

/** Exactly one non-empty document, or an error naming the file (and line, for YAML errors). */
export function parseManifest(text: string, source: string): ParsedManifest {
  let documents: unknown[];
  try {
    documents = yaml.loadAll(text, null, { schema: KUBECTL_LIKE_SCHEMA, filename: source }).filter((doc) => doc !== null && doc !== undefined);
  } catch (error) {
    if (error instanceof yaml.YAMLException) {
      const { mark, reason } = error;
      return { ok: false, error: `${source}:${mark ? `${mark.line + 1}:${mark.column + 1}:` : ''} YAML error: ${reason}` };
    }
    throw error;
  }
  if (documents.length === 0) return { ok: false, error: `${source}: no document found (expected one ImageSpec)` };
  if (documents.length > 1) return { ok: false, error: `${source}: ${documents.length} documents found (expected one ImageSpec)` };
  return { ok: true, document: documents[0] };
}
