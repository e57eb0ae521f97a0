// Validation of ImageSpec manifests, shared by the controller (InvalidSpec with the field path) and
// the CLI. The spec is checked with the CRD's own openAPIV3Schema (api/crd-schema.ts), its CEL
// rules included, compiled once with ajv, plus what the API server checks outside that schema:
// apiVersion, kind, the name and the CEL rule on its length. Pure and synchronous.
import type { ErrorObject } from 'ajv';
import { API_VERSION, IMAGESPEC_KIND, type ImageSpec } from './types.ts';
import { imageSpecSchema, NAME_LENGTH_RULE, type Schema } from './crd-schema.ts';
import { GRAMMAR_HELP, LIMITS, PATTERNS } from './grammar.ts';
import { forStrictValidation } from './schema-strict.ts';
import { CEL_KEYWORD, schemaAjv } from './schema-ajv.ts';
import { escapeUnsafe } from './display.ts';

// The controller takes both from here: what is validated and what is built stay side by side.
export { normalizePackages } from './packages.ts';

export interface FieldError {
  /** Where the problem is, e.g. `spec.packages.pip[2]`; `` for the document itself. */
  path: string;
  message: string;
}

export type ImageSpecValidation = { ok: true; imageSpec: ImageSpec } | { ok: false; errors: FieldError[] };

// verbose: parentSchema in errors, for the known fields of a map with an unknown one.
const ajv = schemaAjv({ verbose: true });

const specSchema = forStrictValidation((imageSpecSchema().properties as Record<string, Schema>).spec!);
const documentSchema: Schema = { type: 'object', required: ['spec'], properties: { spec: specSchema } };
const validateSpec = ajv.compile(documentSchema);

const ROOT_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];

const SUBDOMAIN = new RegExp(PATTERNS.dnsSubdomain, 'u');

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The API server prunes `null` values of fields that are not nullable before validating (and an
 * empty YAML key such as `apt:` is null), so they count as absent here too. Nulls inside lists
 * stay, and are reported.
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (isObject(item) ? withoutNulls(item) : item));
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
}

/** Unknown fields reported per map: a manifest with thousands is refused without listing them all. */
const UNKNOWN_FIELDS_SHOWN = 20;

/**
 * A copy of the data the schema describes, bounded: no list holds more than one entry past its
 * maxItems (the API server checks no rule of a list that is too long) and no map more than
 * UNKNOWN_FIELDS_SHOWN unknown fields. `omitted` receives, per map, how many were left out.
 */
function bounded(value: unknown, schema: Schema, path: string, omitted: FieldError[]): unknown {
  if (Array.isArray(value)) {
    const kept = typeof schema.maxItems === 'number' ? value.slice(0, schema.maxItems + 1) : value;
    const items = schema.items as Schema | undefined;
    return items ? kept.map((item, index) => bounded(item, items, `${path}[${index}]`, omitted)) : kept;
  }
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (!isObject(value) || !properties) return value;
  const entries = Object.entries(value);
  const unknown = entries.filter(([key]) => !properties[key]);
  if (unknown.length > UNKNOWN_FIELDS_SHOWN) omitted.push({ path, message: `has ${unknown.length - UNKNOWN_FIELDS_SHOWN} more unknown fields` });
  const dropped = new Set(unknown.slice(UNKNOWN_FIELDS_SHOWN).map(([key]) => key));
  return Object.fromEntries(
    entries
      .filter(([key]) => !dropped.has(key))
      .map(([key, child]) => [key, properties[key] ? bounded(child, properties[key], path === '' ? key : `${path}.${escapeUnsafe(key)}`, omitted) : child]),
  );
}

/** `/spec/packages/pip/2` -> `spec.packages.pip[2]`, using the data to tell list indexes from keys. */
function fieldPath(instancePath: string, data: unknown, extra?: string): string {
  const segments = instancePath === '' ? [] : instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) segments.push(extra);
  let path = '';
  let node: unknown = data;
  for (const segment of segments) {
    if (Array.isArray(node)) {
      path += `[${segment}]`;
      node = node[Number(segment)];
    } else {
      path += path === '' ? escapeUnsafe(segment) : `.${escapeUnsafe(segment)}`;
      node = isObject(node) ? node[segment] : undefined;
    }
  }
  return path;
}

function valueAt(instancePath: string, data: unknown): unknown {
  let node: unknown = data;
  if (instancePath === '') return node;
  for (const segment of instancePath.slice(1).split('/')) {
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    node = Array.isArray(node) ? node[Number(key)] : isObject(node) ? node[key] : undefined;
  }
  return node;
}

/** A value as a message shows it: JSON, on one line, without control or bidirectional characters, short. */
function shown(value: unknown): string {
  const text = escapeUnsafe(JSON.stringify(value) ?? String(value));
  if (text.length <= 80) return text;
  // Cut between characters, never inside a surrogate pair.
  const cut = text.slice(0, 77);
  return `${/[\ud800-\udbff]$/u.test(cut) ? cut.slice(0, -1) : cut}...`;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `the ${typeof value} ${shown(value)}`;
}

function typeMessage(error: ErrorObject, value: unknown): string {
  const expected = String(error.params.type);
  const article = expected === 'array' ? 'a list' : expected === 'object' ? 'a map' : `a ${expected}`;
  const quoteHint = expected === 'string' && typeof value === 'number' ? ` (quote it: YAML reads an unquoted 3.10 as the number 3.1)` : '';
  return `must be ${article}, got ${describeType(value)}${quoteHint}`;
}

function toFieldError(error: ErrorObject, data: unknown): FieldError {
  const value = valueAt(error.instancePath, data);
  switch (error.keyword) {
    case 'required':
      return { path: fieldPath(error.instancePath, data, String(error.params.missingProperty)), message: 'required' };
    case 'additionalProperties': {
      const known = Object.keys((error.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      return {
        path: fieldPath(error.instancePath, data, String(error.params.additionalProperty)),
        message: `unknown field${known.length > 0 ? ` (known fields: ${known.join(', ')})` : ''}`,
      };
    }
    case 'type':
      return { path: fieldPath(error.instancePath, data), message: typeMessage(error, value) };
    case CEL_KEYWORD:
      // A rule over a whole map (which fields it sets) quotes no value: the message names the fields.
      return { path: fieldPath(error.instancePath, data), message: isObject(value) ? String(error.message) : `${shown(value)} is not valid: ${error.message}` };
    case 'maxLength':
      return {
        path: fieldPath(error.instancePath, data),
        message: `must be at most ${String(error.params.limit)} characters, got ${typeof value === 'string' ? value.length : '?'}`,
      };
    case 'maxItems':
      return {
        path: fieldPath(error.instancePath, data),
        message: `must have at most ${String(error.params.limit)} entries, got ${Array.isArray(value) ? value.length : '?'}`,
      };
    default:
      return { path: fieldPath(error.instancePath, data), message: error.message ?? `fails ${error.keyword}` };
  }
}

function documentErrors(object: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  if (object.apiVersion !== API_VERSION) {
    const primeHub = typeof object.apiVersion === 'string' && object.apiVersion.startsWith('primehub.io/');
    errors.push({
      path: 'apiVersion',
      message: `must be ${API_VERSION}, got ${shown(object.apiVersion)}${primeHub ? ' (a PrimeHub ImageSpec applies after changing only its apiVersion)' : ''}`,
    });
  }
  if (object.kind !== IMAGESPEC_KIND) errors.push({ path: 'kind', message: `must be ${IMAGESPEC_KIND}, got ${shown(object.kind)}` });

  for (const field of Object.keys(object)) {
    if (!ROOT_FIELDS.includes(field)) errors.push({ path: field, message: `unknown field (known fields: ${ROOT_FIELDS.join(', ')})` });
  }

  const metadata = object.metadata;
  if (!isObject(metadata)) {
    errors.push({ path: 'metadata', message: metadata === undefined ? 'required' : `must be a map, got ${describeType(metadata)}` });
    return errors;
  }
  const name = metadata.name;
  if (name === undefined) {
    if (typeof metadata.generateName !== 'string') errors.push({ path: 'metadata.name', message: 'required' });
  } else if (typeof name !== 'string') {
    errors.push({ path: 'metadata.name', message: `must be a string, got ${describeType(name)}` });
  } else if (name.length > LIMITS.imageSpecNameLength) {
    errors.push({ path: 'metadata.name', message: `${NAME_LENGTH_RULE.message}, got ${name.length}` });
  } else if (!SUBDOMAIN.test(name)) {
    errors.push({ path: 'metadata.name', message: `${shown(name)} is not valid: must be ${GRAMMAR_HELP.dnsSubdomain.replace('a Secret name', 'a name')}` });
  }
  return errors;
}

/**
 * Checks an ImageSpec as the API server would (schema, CEL rule, name) and returns it with null
 * fields pruned, or every problem with its field path. Unknown fields in spec are errors (as with
 * kubectl's strict field validation); status and other metadata are ignored.
 */
export function validateImageSpec(obj: unknown): ImageSpecValidation {
  if (!isObject(obj)) return { ok: false, errors: [{ path: '', message: `must be an ImageSpec manifest (a map), got ${describeType(obj)}` }] };
  const object = withoutNulls(obj) as Record<string, unknown>;
  const errors = documentErrors(object);
  const omitted: FieldError[] = [];
  if (!validateSpec(bounded(object, documentSchema, '', omitted))) errors.push(...(validateSpec.errors ?? []).map((error) => toFieldError(error, object)), ...omitted);
  errors.push(...duplicateNames(object.spec, 'buildArgs', 'build argument'), ...duplicateNames(object.spec, 'env', 'environment variable'));
  if (errors.length > 0) return { ok: false, errors: unique(errors) };
  return { ok: true, imageSpec: object as unknown as ImageSpec };
}

/**
 * spec.buildArgs and spec.env are lists keyed by name (x-kubernetes-list-type: map): the API server
 * refuses a name given twice, which the JSON schema itself cannot say.
 */
function duplicateNames(spec: unknown, field: 'buildArgs' | 'env', what: string): FieldError[] {
  const entries = isObject(spec) && Array.isArray(spec[field]) ? spec[field] : [];
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  entries.forEach((entry: unknown, index) => {
    const name = isObject(entry) && typeof entry.name === 'string' ? entry.name : undefined;
    if (name === undefined) return;
    if (seen.has(name)) errors.push({ path: `spec.${field}[${index}].name`, message: `${JSON.stringify(escapeUnsafe(name))} is given twice: each ${what} name may appear once` });
    seen.add(name);
  });
  return errors;
}

function unique(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.path}\u0000${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
