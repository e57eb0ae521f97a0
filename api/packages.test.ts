import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalPipRequirement, normalizePackages } from './packages.ts';
import { fieldRefusals } from './cel.ts';
import { PATTERNS } from './grammar.ts';

// The pip grammar before spaces and markers were allowed (from api/grammar.ts's history): every
// requirement it accepted must keep its exact text, so that every existing revision is unchanged.
const PIP_BEFORE_MARKERS =
  '^\\x20*(?:[A-Za-z0-9]+(?:[._-]+[A-Za-z0-9]+)*(?:\\[[A-Za-z0-9]+(?:[._-]+[A-Za-z0-9]+)*(?:,[A-Za-z0-9]+(?:[._-]+[A-Za-z0-9]+)*)*\\])?(?:(?:===|~=|==|!=|<=|>=|<|>)[A-Za-z0-9]+(?:[!+._-]+[A-Za-z0-9]+)*(?:\\.\\*)?(?:,(?:===|~=|==|!=|<=|>=|<|>)[A-Za-z0-9]+(?:[!+._-]+[A-Za-z0-9]+)*(?:\\.\\*)?)*)?)\\x20*$';

test('pip requirements get one canonical spacing', () => {
  assert.equal(canonicalPipRequirement('numpy >= 1.26'), 'numpy>=1.26');
  assert.equal(canonicalPipRequirement(' requests [ socks , b ] >= 2.31 , < 3 ; extra == "x" '), 'requests[socks,b]>=2.31,<3; extra=="x"');
  assert.equal(canonicalPipRequirement('x;python_version  not  in "3.8"'), 'x; python_version not in "3.8"');
  assert.equal(canonicalPipRequirement("x; ( os_name == 'nt'  or  python_version<'3' )"), "x; (os_name=='nt' or python_version<'3')");
  assert.equal(canonicalPipRequirement('x;(extra=="a")  and  ( os_name=="b" )'), 'x; (extra=="a") and (os_name=="b")');
  assert.deepEqual(normalizePackages({ pip: ['numpy >= 1.26'], apt: [' curl '], conda: ['numpy'] }), { apt: ['curl'], conda: ['numpy'], pip: ['numpy>=1.26'] });
});

test('a requirement the grammar accepted before markers keeps its exact text', () => {
  fc.assert(
    fc.property(fc.stringMatching(new RegExp(PIP_BEFORE_MARKERS, 'u')), (requirement) => {
      assert.equal(canonicalPipRequirement(requirement), requirement.trim());
    }),
    { numRuns: 300 },
  );
});

test('the canonical form is accepted, stable, and the same for every spacing of a requirement', () => {
  fc.assert(
    fc.property(fc.stringMatching(new RegExp(PATTERNS.pip, 'u'), { size: 'xsmall' }), (requirement) => {
      fc.pre(fieldRefusals('pip', requirement).length === 0);
      const canonical = canonicalPipRequirement(requirement);
      assert.deepEqual(fieldRefusals('pip', canonical), [], canonical);
      assert.equal(canonicalPipRequirement(canonical), canonical);
      assert.equal(canonicalPipRequirement(requirement.replace(/\x20+/g, '   ')), canonical);
    }),
    { numRuns: 500 },
  );
});
