// The CEL validation rules (x-kubernetes-validations) the CRDs carry, and their meaning in
// JavaScript. The CRD generator writes the rules; the validator reads them back from the same
// schema and evaluates them here, so a rule the validator does not understand stops it at start-up
// instead of being skipped.
import { fieldChecks, type Check, type CheckedField } from './field-rules.ts';

export interface CelRule {
  rule: string;
  message: string;
  /** Where the API server reports the failure, relative to the node carrying the rule. */
  fieldPath?: string;
}

function matches(pattern: string): string {
  if (pattern.includes("'")) throw new Error(`A pattern written in a CEL raw string must not contain a single quote: ${pattern}`);
  return `self.matches(r'${pattern}')`;
}

function accepts(check: Check): string {
  return check.refuseWhen === 'found' ? `!${matches(check.pattern)}` : matches(check.pattern);
}

function refuses(check: Check): string {
  return check.refuseWhen === 'found' ? matches(check.pattern) : `!${matches(check.pattern)}`;
}

/**
 * The rules of a checked field, one per check. A rule holds when an earlier check already refuses
 * the value, so a refused value gets exactly one sentence: the first that applies (a newline
 * before a leading dash, any specific refusal before the grammar's general description).
 */
export function fieldRules(field: CheckedField): CelRule[] {
  const checks = fieldChecks(field);
  return checks.map((check, index) => ({
    rule: [...checks.slice(0, index).map(refuses), accepts(check)].join(' || '),
    message: check.message,
  }));
}

/** What a rule says about a value: true when it holds. */
export type CelPredicate = (self: unknown) => boolean;

const MATCHES_TERM = /^(!?)self\.matches\(r'([^']*)'\)$/;
const EXACTLY_ONE_RULE = /^\[(has\(self\.[A-Za-z_][A-Za-z0-9_]*\)(?:, has\(self\.[A-Za-z_][A-Za-z0-9_]*\))+)\]\.exists_one\(x, x\)$/;
const SIZE_RULE = /^size\(self((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\) <= ([0-9]+)$/;

function lookup(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined), value);
}

function matchesPredicate(rule: string): CelPredicate | undefined {
  const terms = rule.split(' || ').map((term) => term.match(MATCHES_TERM));
  if (terms.some((term) => term === null)) return undefined;
  const tests = terms.map((term) => ({ negated: term![1] === '!', pattern: new RegExp(term![2]!, 'u') }));
  // A value of another type fails the schema's `type` first; the rule has nothing to add.
  return (self) => typeof self !== 'string' || tests.some(({ negated, pattern }) => pattern.test(self) !== negated);
}

function sizePredicate(rule: string): CelPredicate | undefined {
  const match = rule.match(SIZE_RULE);
  if (!match) return undefined;
  const path = match[1]!.slice(1).split('.');
  const limit = Number(match[2]);
  return (self) => {
    const value = lookup(self, path);
    return typeof value !== 'string' || [...value].length <= limit;
  };
}

/** The rule that exactly one of `fields` is set (exactlyOneOf writes it). */
export function exactlyOneRule(fields: readonly string[]): string {
  if (fields.length < 2) throw new Error(`An exactly-one rule needs two fields or more, got ${fields.join(', ')}`);
  return `[${fields.map((field) => `has(self.${field})`).join(', ')}].exists_one(x, x)`;
}

/** `[has(self.a), has(self.b), ...].exists_one(x, x)`: exactly one of the fields is set. */
function exactlyOnePredicate(rule: string): CelPredicate | undefined {
  const match = rule.match(EXACTLY_ONE_RULE);
  if (!match) return undefined;
  const fields = match[1]!.split(', ').map((term) => term.slice('has(self.'.length, -1));
  const has = (self: unknown, key: string) => self !== null && typeof self === 'object' && !Array.isArray(self) && (self as Record<string, unknown>)[key] !== undefined;
  return (self) => fields.filter((field) => has(self, field)).length === 1;
}

const compiled = new Map<string, CelPredicate>();

/**
 * The predicate of a rule the CRDs use, or `undefined` for a transition rule (it compares with
 * `oldSelf`, so it only applies to updates, which the validator never sees). Throws for a rule of
 * any other form: the validator must understand every rule the API server enforces.
 */
export function compileCelRule(rule: string): CelPredicate | undefined {
  if (compiled.has(rule)) return compiled.get(rule);
  if (/\boldSelf\b/.test(rule)) return undefined;
  const predicate = matchesPredicate(rule) ?? sizePredicate(rule) ?? exactlyOnePredicate(rule);
  if (!predicate) throw new Error(`The validator does not understand the CEL rule ${JSON.stringify(rule)}: teach api/cel.ts its meaning`);
  compiled.set(rule, predicate);
  return predicate;
}

/** The messages of the rules a value breaks, in rule order. */
export function brokenRules(rules: readonly CelRule[], value: unknown): string[] {
  return rules.filter((rule) => compileCelRule(rule.rule)?.(value) === false).map((rule) => rule.message);
}

/** The messages of a checked field's rules that a value breaks: empty when the value is accepted. */
export function fieldRefusals(field: CheckedField, value: string): string[] {
  return brokenRules(fieldRules(field), value);
}
