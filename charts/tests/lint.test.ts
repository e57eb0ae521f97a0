import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import yaml from 'js-yaml';
import { helmVersion } from '../../e2e/helm/build.ts';
import { runHelm } from '../../e2e/helm/run.ts';
import { repoRoot } from '../rbac/api-calls.ts';
import { chartDir } from './chart.ts';

for (const [what, args] of [
  ['the defaults', []],
  ['watched namespaces on the host network', ['--set', 'hostNetwork=true', '--set', 'watchNamespaces={team-a,team-b}']],
] as const) {
  test(`helm lint --strict passes with ${what}`, async () => {
    const result = await runHelm(['lint', '--strict', chartDir, ...args]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });
}

test('the chart\'s appVersion is the package version', () => {
  const chart = yaml.load(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { appVersion: string };
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  assert.equal(chart.appVersion, pkg.version);
});

test('helm is the pinned release, stamped', async () => {
  const result = await runHelm(['version', '--short']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), helmVersion());
});
