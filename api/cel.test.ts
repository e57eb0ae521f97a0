import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { brokenRules, compileCelRule, fieldRefusals, fieldRules } from './cel.ts';
import { schemaAjv } from './schema-ajv.ts';
import type { CheckedField } from './field-rules.ts';

const FIELDS: CheckedField[] = ['apt', 'pip', 'conda', 'imageReference', 'repoPrefix', 'dnsSubdomain', 'optionalDnsSubdomain', 'optionalDateTime', 'revision', 'buildArgName', 'buildArgValue', 'envName', 'envValue', 'outputImage'];

// Characters the grammars treat specially, mixed with ordinary ones: most strings are refused.
const TRICKY = fc.string({ unit: fc.constantFrom(...'aZ09 -_.:;=<>!~,*+@/#$`\\\'"()[]{}|&\n\t\u0000\u202e'.split('')), maxLength: 24 });

test('a refused value is told exactly one sentence, whatever it is', () => {
  for (const field of FIELDS) {
    fc.assert(fc.property(TRICKY, (value) => fieldRefusals(field, value).length <= 1), { numRuns: 200 });
  }
});

test('each field rule is a CEL disjunction of matches() calls the API server can compile', () => {
  for (const field of FIELDS) {
    for (const { rule, message } of fieldRules(field)) {
      assert.match(rule, /^!?self\.matches\(r'[^']*'\)(?: \|\| !?self\.matches\(r'[^']*'\))*$/, rule);
      assert.ok(!/[\r\n]/.test(message) && message.length < 400 && message.startsWith('must '), message);
    }
  }
});

test('the validator understands every form of rule the CRDs use, and refuses to guess at others', () => {
  assert.equal(compileCelRule('self.matches(r\'^a$\') || !self.matches(r\'b\')')!('a'), true);
  assert.equal(compileCelRule('self.matches(r\'^a$\') || !self.matches(r\'b\')')!('b'), false);
  assert.equal(compileCelRule('size(self.metadata.name) <= 3')!({ metadata: { name: 'abcd' } }), false);
  assert.equal(compileCelRule('size(self.metadata.name) <= 3')!({ metadata: { name: 'a\u{1F600}c' } }), true, 'characters, not UTF-16 units');
  assert.equal(compileCelRule('self == oldSelf'), undefined, 'transition rules apply to updates only');
  assert.throws(() => compileCelRule('self.size() < 3'), /does not understand the CEL rule/);
  assert.deepEqual(brokenRules([{ rule: "self.matches(r'x')", message: 'must have an x' }], 'y'), ['must have an x']);
});

test('as on the API server, no rule is evaluated on a value longer than its maxLength', () => {
  const validate = schemaAjv().compile({ type: 'string', maxLength: 3, 'x-kubernetes-validations': [{ rule: "self.matches(r'^a+$')", message: 'must be a run of a' }] });
  assert.equal(validate('b'), false);
  assert.deepEqual(validate.errors?.map((e) => e.message), ['must be a run of a']);
  assert.equal(validate('bbbb'), false);
  assert.deepEqual(validate.errors?.map((e) => e.keyword), ['maxLength']);
});
