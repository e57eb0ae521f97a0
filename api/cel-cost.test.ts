import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CRD_COST_LIMIT, OBJECT_COST_BUDGET, RULE_COST_LIMIT, ruleCost, schemaCost } from './cel-cost.ts';
import { imageSpecJobSchema, imageSpecSchema } from './crd-schema.ts';

test('rule costs are those the API server estimates', () => {
  // Figures from kube-apiserver v1.37.2's estimator for these rules on a string of maxLength 256,
  // which it sizes as 1024 bytes.
  assert.equal(ruleCost("self.matches(r'^[a-z]+$')", 1024), 207);
  assert.equal(ruleCost("!self.matches(r'^[a-z]+$') || self.matches(r'x')", 1024), 312);
  assert.equal(ruleCost("!self.matches(r'^[a-z]+$') || !self.matches(r'x') || self.matches(r'[\\x00-\\x1f\\x7f-\\x9f]')", 1024), 829);
});

// The API server refuses a CRD whose rules it estimates above its limits (a rule, all of them),
// and stops validating an object once its rules have cost OBJECT_COST_BUDGET. Both are checked
// for the largest object the schema allows (every list full, every string at its maxLength), with
// a margin, so that no valid ImageSpec is ever refused for the cost of checking it.
for (const [kind, schema] of [['ImageSpec', imageSpecSchema()], ['ImageSpecJob', imageSpecJobSchema()]] as const) {
  test(`${kind}: the CEL rules fit the API server's cost limits for the largest object the schema allows`, () => {
    const estimated = schemaCost(schema, 'estimate');
    assert.ok(estimated.rules.length > 20, 'the package rules are counted');
    for (const rule of estimated.rules) assert.ok(rule.cost <= RULE_COST_LIMIT * 0.8, `${rule.path}: ${rule.cost} of ${RULE_COST_LIMIT}`);
    assert.ok(estimated.total <= CRD_COST_LIMIT * 0.5, `${estimated.total} of ${CRD_COST_LIMIT}`);
    const run = schemaCost(schema, 'run');
    assert.ok(run.total <= OBJECT_COST_BUDGET * 0.8, `${run.total} of ${OBJECT_COST_BUDGET}`);
  });
}
