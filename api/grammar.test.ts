import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PATTERNS, PEP508_MARKER_VARIABLES } from './grammar.ts';
import { fieldRefusals } from './cel.ts';

const accepted = (field: 'apt' | 'pip' | 'conda', value: string) => fieldRefusals(field, value).length === 0;

test('every pattern is written in the syntax RE2 and JavaScript share, without quotes', () => {
  for (const [name, pattern] of Object.entries(PATTERNS)) {
    assert.doesNotThrow(() => new RegExp(pattern, 'u'), name);
    assert.ok(!/\(\?[=!<]|\(\?[a-z]|\\[1-9]|\\[pPkK]/.test(pattern), `${name}: lookaround, inline flag, backreference or class escape`);
    assert.ok(!/["']/.test(pattern), `${name}: quotes are written \\x22 and \\x27`);
  }
});

test('apt: a name, version or release ending in "-" is not part of the grammar', () => {
  const apt = new RegExp(PATTERNS.apt, 'u');
  for (const value of ['curl-', 'curl=7.88.1-', 'ca-certificates/bookworm-', 'curl=1:2-', 'x:amd64=1--']) assert.ok(!apt.test(value), value);
  for (const value of ['curl', 'curl=7.88.1-10', 'ca-certificates/bookworm-backports', 'xy=1--2', 'g++', 'lib+-x']) assert.ok(apt.test(value), value);
});

test('pip: spaces between the parts of a requirement, and PEP 508 markers with every marker variable', () => {
  for (const value of ['numpy >= 1.26', 'numpy>=1.26', 'requests[socks]>=2.31,<3; python_version > "3.8"', 'requests [ socks , x ] >= 2.31 , < 3']) assert.ok(accepted('pip', value), value);
  for (const variable of PEP508_MARKER_VARIABLES) {
    assert.ok(accepted('pip', `pkg; ${variable} == "x"`), variable);
    assert.ok(accepted('pip', `pkg; "x" != ${variable}`), variable);
    assert.ok(!accepted('pip', `pkg; ${variable}s == "x"`), `${variable}s`);
    assert.ok(!accepted('pip', `pkg; x${variable} == "x"`), `x${variable}`);
  }
  for (const operator of ['<', '<=', '==', '!=', '>=', '>', '~=', '===', 'in', 'not in']) assert.ok(accepted('pip', `pkg; python_version ${operator} "3.8"`), operator);
  assert.ok(accepted('pip', 'pkg; os_name == "nt" and (python_version < "3.8" or python_version > "3.11")'));
  assert.ok(!accepted('pip', 'pkg; os_name == "nt" and (python_version < "3.8" or (python_version > "3.11"))'), 'one level of parentheses');
  assert.ok(!accepted('pip', 'pkg; unknown_var == "x"'));
  assert.ok(!accepted('pip', 'pkg; extra == "x" and extra == "y" or'));
});

test('pip and conda: archive file names are refused in any letter case, other dotted names are not', () => {
  const extensions = ['whl', 'zip', 'egg', 'conda', 'tar', 'tgz', 'tbz', 'tbz2', 'txz', 'tlz', 'tar.gz', 'tar.bz2', 'tar.xz', 'tar.lz', 'tar.lzma'];
  for (const extension of extensions) {
    for (const name of [`pkg-1.0.${extension}`, `pkg-1.0.${extension.toUpperCase()}`]) {
      assert.ok(!accepted('pip', name), name);
      assert.ok(!accepted('conda', name), name);
    }
  }
  for (const name of ['backports.lzma', 'zope.interface', 'pkg.tarball', 'x.wheel', 'x.gz', 'x.eggs']) assert.ok(accepted('pip', name), name);
  assert.ok(!accepted('pip', 'x.whl==1.0'));
  assert.ok(!accepted('conda', 'pkg=1.0.conda'));
});
