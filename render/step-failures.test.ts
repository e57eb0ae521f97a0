import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STEP_FAILURES } from './step-failures.ts';

describe('STEP_FAILURES', () => {
  const failures = Object.values(STEP_FAILURES);

  it('gives every cause a code of its own, outside what shells, xargs, apt and pip exit with', () => {
    const codes = failures.map((failure) => failure.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const code of codes) assert.ok(code > 2 && code < 100, `${code}`);
  });

  it('keeps sentences safe inside single quotes and double quotes of the scripts', () => {
    for (const { sentence } of failures) assert.match(sentence, /^[^'"`$\\\n]+$/, sentence);
  });
});
