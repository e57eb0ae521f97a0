// The API server's static estimate of what the CRDs' CEL rules cost, to keep them within its
// budgets (k8s.io/apiextensions-apiserver and cel-go's cost estimator): a rule on a list item
// counts once per item the list may hold, a matches() call costs its string's length times its
// pattern's, and a rule of the form api/cel.ts writes costs at most the sum of its calls.
import type { Schema } from './crd-schema.ts';

/** Largest estimated cost of one rule (StaticEstimatedCostLimit). */
export const RULE_COST_LIMIT = 10_000_000;
/** Largest estimated cost of all the rules of a CRD (StaticEstimatedCRDCostLimit). */
export const CRD_COST_LIMIT = 100_000_000;
/** Largest cost spent validating one object (RuntimeCELCostBudget): the bound that matters. */
export const OBJECT_COST_BUDGET = 10_000_000;

const STRING_TRAVERSAL_COST_FACTOR = 0.1;
const REGEX_STRING_LENGTH_COST_FACTOR = 0.25;

const MATCHES = /(!?)self\.matches\(r'([^']*)'\)/g;

/**
 * The API server sizes a string of maxLength characters as 4 bytes each (a code point's largest
 * UTF-8 encoding) when it estimates; when it runs a rule, it counts the characters.
 */
const ESTIMATED_BYTES_PER_CHARACTER = 4;

/**
 * The cost of one rule on a string of at most `length` (bytes when estimating, characters when
 * running): each matches() call costs the string's traversal times its pattern's length.
 */
export function ruleCost(rule: string, length: number): number {
  let cost = 0;
  let terms = 0;
  for (const [, negation, pattern] of rule.matchAll(MATCHES)) {
    const text = Math.ceil((length + 1) * STRING_TRAVERSAL_COST_FACTOR);
    const regex = Math.ceil([...pattern!].length * REGEX_STRING_LENGTH_COST_FACTOR);
    // `self` (1), the call, its negation (1); `||` adds nothing of its own.
    cost += 1 + text * regex + (negation ? 1 : 0);
    terms++;
  }
  // Other rules (a size comparison, a transition rule) cost a handful of units.
  return terms > 0 ? cost : 10;
}

export interface RuleCost {
  path: string;
  rule: string;
  /** The rule's estimated cost times the number of values it may run on. */
  cost: number;
}

/**
 * Every rule of an openAPIV3Schema with its cost on the largest object the schema allows (every
 * list full, every string at its maxLength), and their sum: as the API server estimates it when
 * it admits the CRD (`estimate`), or as it counts it when it validates an object (`run`).
 */
export function schemaCost(schema: Schema, mode: 'estimate' | 'run' = 'estimate'): { total: number; rules: RuleCost[] } {
  const rules: RuleCost[] = [];
  const visit = (node: Schema, path: string, cardinality: number) => {
    for (const { rule } of (node['x-kubernetes-validations'] as Array<{ rule: string }> | undefined) ?? []) {
      const maxLength = typeof node.maxLength === 'number' ? node.maxLength : 0;
      rules.push({ path, rule, cost: ruleCost(rule, mode === 'estimate' ? maxLength * ESTIMATED_BYTES_PER_CHARACTER : maxLength) * cardinality });
    }
    for (const [name, child] of Object.entries((node.properties as Record<string, Schema> | undefined) ?? {})) visit(child, path ? `${path}.${name}` : name, cardinality);
    if (node.items) visit(node.items as Schema, `${path}[]`, cardinality * (typeof node.maxItems === 'number' ? node.maxItems : Infinity));
  };
  visit(schema, '', 1);
  return { total: rules.reduce((sum, { cost }) => sum + cost, 0), rules };
}
