import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../cluster/paths.ts';
import { compileCacheCandidates } from '../../../controllers/runtime/compile-cache.ts';
import {
  compileCacheUse,
  controllerBaseRecipe,
  controllerImageConfig,
  controllerImageRecipe,
  describeSizes,
  envRecord,
  fileDigestLines,
  sourceEntryPoints,
  isPrunedDependencyFile,
  requiredImagePaths,
  rootfsProblems,
  runtimeDirs,
  selectRuntimeFiles,
  type PackageInfo,
} from './controller-image-spec.ts';
import { runtimeFiles } from './controller-image.ts';
import { recipeHash } from './recipes.ts';

const pkg: PackageInfo = { name: 'imagespec-controller', version: '1.2.3', description: 'd', license: 'Apache-2.0' };

test('runtime files are the runtime directories and package.json, without tests or fixtures', () => {
  const tree = [
    'package.json',
    'package-lock.json',
    'README.md',
    'api/types.ts',
    'api/types.test.ts',
    'controllers/runtime/worker.ts',
    'controllers/imagespec/controller.integration.test.ts',
    'render/testdata/pip-only/Dockerfile',
    'render/templates.ts',
    'templates/Dockerfile.hbs',
    'e2e/local.ts',
    'cli/imagespec.ts',
    'charts/imagespec-controller/Chart.yaml',
    'templates',
    'apiary/x.ts',
  ];
  assert.deepEqual(selectRuntimeFiles(tree), [
    'api/types.ts',
    'controllers/runtime/worker.ts',
    'package.json',
    'render/templates.ts',
    'templates/Dockerfile.hbs',
  ]);
});

test('type declarations and source maps of dependencies are pruned, code is kept', () => {
  for (const name of ['index.d.ts', 'a/b.d.mts', 'c.d.cts', 'dist/index.js.map']) assert.ok(isPrunedDependencyFile(name), name);
  for (const name of ['index.js', 'index.mjs', 'map.js', 'd.ts.js', 'package.json']) assert.ok(!isPrunedDependencyFile(name), name);
});

test('the image runs the bundled controller, node dist/main.js, in /app as a numeric non-root user', () => {
  const config = controllerImageConfig(pkg);
  assert.equal(config.User, '65532:65532');
  assert.deepEqual(config.Entrypoint, ['node', 'dist/main.js']);
  assert.equal(config.WorkingDir, '/app');
  assert.ok(config.Env?.includes('NODE_ENV=production'));
  assert.match(config.Env?.find((e) => e.startsWith('PATH=')) ?? '', /(^|:)\/usr\/local\/bin(:|$)/);
  assert.equal(config.Labels?.['org.opencontainers.image.version'], '1.2.3');
  assert.equal(config.Labels?.['org.opencontainers.image.licenses'], 'Apache-2.0');
  assert.equal(config.Cmd, undefined);
});

test('the image names its compile cache: the directory the controller tries first, portable', () => {
  const env = envRecord(controllerImageConfig(pkg).Env ?? []);
  const [first] = compileCacheCandidates('/app', '/tmp');
  assert.equal(env['NODE_COMPILE_CACHE'], first?.directory);
  assert.equal(first?.portable, true);
  assert.equal(env['NODE_COMPILE_CACHE_PORTABLE'], '1');
  assert.deepEqual(envRecord(['A=1', 'B=x=y', 'C=']), { A: '1', B: 'x=y', C: '' });
});

test("Node's debug output tells modules compiled from the cache from the others", () => {
  const output = [
    '[compile cache] V8 code cache for ESM file:///app/[eval1] was not initialized, initializing the in-memory entry',
    '[compile cache] retrieving transpile cache for StrippedTypeScript file:///app/controllers/main.ts...success',
    '[compile cache] V8 code cache for ESM file:///app/controllers/main.ts was accepted, keeping the in-memory entry',
    '[compile cache] V8 code cache for CommonJS /app/node_modules/undici/index.js was accepted, keeping the in-memory entry',
    '[compile cache] V8 code cache for ESM file:///app/api/types.ts was rejected, reading from source',
    '[compile cache] no transpile cache for StrippedTypeScript file:///app/api/grammar.ts',
    '[compile cache] V8 code cache for ESM file:///app/api/grammar.ts was not initialized, initializing the in-memory entry',
  ].join('\n');
  assert.deepEqual(compileCacheUse(output), {
    accepted: 2,
    missed: ['file:///app/api/types.ts', 'file:///app/api/grammar.ts', 'file:///app/api/grammar.ts'],
  });
  assert.deepEqual(compileCacheUse('some other output\n'), { accepted: 0, missed: [] });
});

test('the Debian base adds libatomic1 for Node and the runtime user, and slims down', () => {
  const source = controllerBaseRecipe.source;
  assert.equal(source.kind, 'debootstrap');
  if (source.kind !== 'debootstrap') return;
  assert.deepEqual(source.include, ['libatomic1']);
  assert.ok(source.setup.some((command) => command.startsWith('useradd --uid 65532 --gid 65532 ')));
  for (const dir of ['/usr/share/man', '/usr/share/locale', '/var/lib/apt/lists']) assert.ok(source.setup.some((c) => c.includes(dir)), dir);
});

test('the image hash follows the recipe, the base and every input file, not the order they were read in', () => {
  const recipe = controllerImageRecipe(pkg, 'base1', true);
  const files = new Map([
    ['package-lock.json', 'aa'],
    ['controllers/main.ts', 'bb'],
  ]);
  const hash = recipeHash(recipe, fileDigestLines(files));
  assert.match(hash, /^[0-9a-f]{12}$/);
  assert.equal(recipeHash(recipe, fileDigestLines(new Map([...files].reverse()))), hash);
  assert.notEqual(recipeHash(recipe, fileDigestLines(new Map([...files, ['controllers/main.ts', 'cc']]))), hash);
  assert.notEqual(recipeHash(recipe, fileDigestLines(new Map([...files, ['api/new.ts', 'dd']]))), hash);
  assert.notEqual(recipeHash(controllerImageRecipe(pkg, 'base2', true), fileDigestLines(files)), hash);
  assert.notEqual(recipeHash(controllerImageRecipe(pkg, 'base1', false), fileDigestLines(files)), hash);
  assert.notEqual(recipeHash(controllerImageRecipe({ ...pkg, version: '1.2.4' }, 'base1', true), fileDigestLines(files)), hash);
});

test('a root filesystem is checked for what the controller needs and for what must stay out', () => {
  assert.deepEqual(rootfsProblems([...requiredImagePaths, 'app/node_modules/winston/index.js']), []);
  const problems = rootfsProblems([
    ...requiredImagePaths.filter((path) => path !== 'usr/local/bin/node'),
    'app/node_modules/typescript/package.json',
    'app/node_modules/winston/index.d.ts',
    'app/controllers/main.test.ts',
    'app/render/testdata/x/Dockerfile',
    'app/.env',
    'app/node_modules/some-dep/test/data.test.ts',
  ]);
  assert.deepEqual(problems, [
    'missing usr/local/bin/node',
    'unexpected app/node_modules/typescript/package.json',
    'unexpected app/node_modules/winston/index.d.ts',
    'unexpected app/controllers/main.test.ts',
    'unexpected app/render/testdata/x/Dockerfile',
    'unexpected app/.env',
  ]);
});

test('sizes are reported per layer and in total', () => {
  assert.equal(
    describeSizes([
      { compressed: 31_700_000, unpacked: 81_400_000 },
      { compressed: 56_400_000, unpacked: 167_500_000 },
    ]),
    '88.1 MB compressed, 248.9 MB unpacked (layers, compressed / unpacked: 31.7 MB / 81.4 MB, 56.4 MB / 167.5 MB)',
  );
});

/**
 * Static imports that stay at run time (not `import type`), dynamic imports of a fixed module, and
 * files named by `new URL(..., import.meta.url)`.
 */
function runtimeReferences(source: string): { imports: string[]; urls: string[] } {
  const imports = [
    ...source.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm),
    ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] ?? '');
  const urls = [...source.matchAll(/new URL\(\s*['"](\.{1,2}\/[^'"]*)['"]\s*,\s*import\.meta\.url\s*\)/g)].map((m) => m[1] ?? '');
  return { imports, urls };
}

test('everything the controller loads from its entry points is in the image', () => {
  const selected = new Set(runtimeFiles());
  const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const builtins = new Set(builtinModules);
  const entryPoints: string[] = [...sourceEntryPoints];
  const seen = new Set<string>();
  const queue = [...entryPoints];
  const problems: string[] = [];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    if (!selected.has(file)) problems.push(`${file} is loaded but not in the image`);
    if (!existsSync(join(repoRoot, file))) continue;
    const { imports, urls } = runtimeReferences(readFileSync(join(repoRoot, file), 'utf8'));
    for (const specifier of imports) {
      if (specifier.startsWith('.')) queue.push(relative(repoRoot, normalize(join(repoRoot, dirname(file), specifier))));
      else if (!specifier.startsWith('node:') && !builtins.has(specifier)) {
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? '');
        if (!(name in packageJson.dependencies)) problems.push(`${file} imports ${specifier}, not a production dependency`);
      }
    }
    for (const url of urls) {
      const target = relative(repoRoot, normalize(join(repoRoot, dirname(file), url)));
      if (!runtimeDirs.some((dir) => target === dir || target.startsWith(`${dir}/`))) problems.push(`${file} reads ${target}, outside the image`);
    }
  }
  assert.ok(seen.size > 10, `followed ${seen.size} modules`);
  assert.deepEqual(problems, []);
});
