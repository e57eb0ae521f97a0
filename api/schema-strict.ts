// Makes a CRD schema usable by ajv, with kubectl's strict field validation.
import type { Schema } from './crd-schema.ts';

/** Kubernetes extensions to OpenAPI: ajv's strict mode rejects unknown keywords unless declared. */
export const KUBERNETES_KEYWORDS = [
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
] as const;

/**
 * A copy of the schema where objects with declared properties refuse unknown ones. The API server
 * would prune them silently (or refuse them under kubectl's default strict field validation), so a
 * misspelt field such as `spec.package` is reported instead of vanishing.
 */
export function forStrictValidation(schema: Schema): Schema {
  const copy: Schema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'properties' && value && typeof value === 'object') {
      copy.properties = Object.fromEntries(Object.entries(value as Record<string, Schema>).map(([name, child]) => [name, forStrictValidation(child)]));
    } else if (keyword === 'items' && value && typeof value === 'object' && !Array.isArray(value)) {
      copy.items = forStrictValidation(value as Schema);
    } else {
      copy[keyword] = value;
    }
  }
  if (copy.type === 'object' && copy.properties && !copy['x-kubernetes-preserve-unknown-fields']) copy.additionalProperties = false;
  return copy;
}
