// Production code must not load the test harness: the controller's image ships controllers/
// without e2e/, and `node controllers/main.ts` must only ever run against the cluster it is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const controllersDir = dirname(fileURLToPath(import.meta.url));
const e2eDir = resolve(controllersDir, '..', 'e2e');

const SPECIFIERS = [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g];

/** The module specifiers of `source` (a file at `file`) that resolve into e2e/. */
function harnessImports(file: string, source: string): string[] {
  const specifiers = SPECIFIERS.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
  return specifiers.filter((specifier) => {
    if (!specifier.startsWith('.')) return false;
    const target = relative(e2eDir, resolve(dirname(file), specifier));
    return !target.startsWith('..');
  });
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

test('the check recognises static, re-exported, side-effect and dynamic imports of e2e/', () => {
  const file = join(controllersDir, 'runtime', 'example.ts');
  const source = [
    "import { clusterUp } from '../../e2e/cluster/cluster.ts';",
    "export { x } from '../../e2e/x.ts';",
    "import '../../e2e/side-effect.ts';",
    "const { runLocal } = await import('../../e2e/local.ts');",
    "import { plain } from './kube.ts';",
    "import { GROUP } from '../../api/types.ts';",
    "import { KubeConfig } from '@kubernetes/client-node';",
  ].join('\n');
  assert.deepEqual(harnessImports(file, source).sort(), [
    '../../e2e/cluster/cluster.ts',
    '../../e2e/local.ts',
    '../../e2e/side-effect.ts',
    '../../e2e/x.ts',
  ]);
});

test('no file under controllers/ imports from e2e/', () => {
  const thisFile = fileURLToPath(import.meta.url); // its examples above are text, not imports
  const files = typeScriptFiles(controllersDir).filter((file) => file !== thisFile);
  const offenders = files.flatMap((file) =>
    harnessImports(file, readFileSync(file, 'utf8')).map((specifier) => `${relative(controllersDir, file)}: ${specifier}`),
  );
  assert.deepEqual(offenders, []);
});
