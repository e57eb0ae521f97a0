// No image can be built from the Containerfile here (no registry to pull node:26 from), so its
// structure is held to the values the local build uses (controller-image-spec.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { repoRoot } from '../../cluster/paths.ts';
import { controllerNodeOptions } from '../../../controllers/runtime/node-options.ts';
import { compileCacheEnv, entrypoint, imageEntryPoints, imageLabels, prunedDependencyPatterns, runtimeDirs, runtimeEnv, runtimeRootFiles, runtimeUser, workdir, type PackageInfo } from './controller-image-spec.ts';
import { execForm, instructions, keyValues, parseContainerfile, stagePairs, type Stage } from './containerfile.ts';

const read = (file: string) => readFileSync(`${repoRoot}/${file}`, 'utf8');
const pkg = JSON.parse(read('package.json')) as PackageInfo;
const stages = parseContainerfile(read('Containerfile'));
const runtime = stages.at(-1) as Stage;
const stage = (name: string) => stages.find((s) => s.name === name) as Stage;
const bundle = stage('bundle');
const dependencies = stage('dependencies');
const args = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

test('the parser joins continuation lines, drops comments and reads exec form and pairs', () => {
  const parsed = parseContainerfile('ARG X=1\nFROM a AS one\n# note\nRUN echo \\\n  two\nFROM b\nARG V=2\nLABEL k="v ${V}" \\\n  l=w\n');
  assert.deepEqual(parsed.map((s) => [s.base, s.name]), [['a', 'one'], ['b', undefined]]);
  assert.deepEqual(parsed[0]?.instructions, [{ keyword: 'RUN', args: 'echo two' }]);
  assert.deepEqual([...stagePairs(parsed[1]!, 'LABEL')], [['k', 'v 2'], ['l', 'w']]);
  assert.deepEqual(execForm('["node", "x.ts"]'), ['node', 'x.ts']);
  assert.equal(execForm('node x.ts'), undefined);
  assert.deepEqual([...keyValues('A=1 B="two words"')], [['A', '1'], ['B', 'two words']]);
  assert.equal(instructions('\n\n').length, 0);
});

test('a stage bundles the controller with the development dependencies, and only dist/ leaves it', () => {
  assert.match(bundle.base, /^node:26(\.\d+)*-/);
  const runs = args(bundle, 'RUN');
  assert.ok(runs.some((run) => run.includes('npm ci') && !run.includes('--omit=dev')), 'the bundler is a development dependency');
  assert.equal(runs.at(-1), 'node bundle/cli.ts');
  const sources = args(bundle, 'COPY').map((c) => c.split(/\s+/)[0]);
  for (const dir of [...runtimeDirs, 'bundle']) assert.ok(sources.includes(dir), `the bundle stage copies ${dir}`);
  const fromBundle = stages.flatMap((s) => args(s, 'COPY')).filter((c) => c.startsWith(`--from=${bundle.name} `));
  assert.deepEqual(fromBundle, [`--from=${bundle.name} /app/dist ./dist`, `--from=${bundle.name} /app/dist ./dist`]);
});

test('a build stage installs production dependencies only, and a slim Node 26 stage runs them', () => {
  assert.equal(stages.length, 3);
  assert.match(dependencies.base, /^node:26(\.\d+)*-/);
  assert.match(runtime.base, /^(node:26(\.\d+)*-[\w-]*slim|gcr\.io\/distroless\/nodejs26[\w-]*)(@sha256:[0-9a-f]{64})?$/);
  const npmCi = args(dependencies, 'RUN').find((run) => run.includes('npm ci'));
  assert.ok(npmCi, 'the build stage runs npm ci');
  assert.match(npmCi, /--omit=dev/);
  assert.match(npmCi, /--ignore-scripts/);
  for (const pattern of prunedDependencyPatterns) assert.ok(npmCi.includes(`'${pattern}'`), `prunes ${pattern}`);
  assert.deepEqual(args(runtime, 'RUN'), [], 'the runtime stage runs nothing: no npm, no shell');
});

test('the runtime stage copies the runtime files, the built node_modules and the bundle, nothing else', () => {
  const copies = args(runtime, 'COPY');
  assert.deepEqual(copies.filter((c) => c.startsWith('--from=')), [`--from=${dependencies.name} /app/node_modules ./node_modules`, `--from=${bundle.name} /app/dist ./dist`]);
  const fromContext = copies.filter((c) => !c.startsWith('--from=')).map((c) => c.split(/\s+/)[0]);
  assert.deepEqual(fromContext.sort(), [...runtimeRootFiles, ...runtimeDirs].sort());
});

test('the build stage fills the compile cache the runtime environment names, loading every entry point', () => {
  const fill = args(dependencies, 'RUN').find((run) => run.includes('NODE_COMPILE_CACHE='));
  assert.ok(fill, 'the build stage fills the compile cache');
  for (const [name, value] of Object.entries(compileCacheEnv(workdir))) assert.ok(fill.includes(`${name}=${value} `), `${name}=${value}`);
  // V8 keeps a code cache only for the flags it was made with: the fill runs with the runtime's.
  assert.ok(fill.includes(`NODE_OPTIONS="${controllerNodeOptions()}" `), 'NODE_OPTIONS as at run time');
  for (const file of imageEntryPoints) assert.ok(fill.includes(`import('${workdir}/${file}')`), file);
  const sources = args(dependencies, 'COPY').map((c) => c.split(/\s+/)[0]);
  for (const dir of runtimeDirs) assert.ok(sources.includes(dir), `the build stage copies ${dir} before loading it`);
});

test('user, workdir, environment, labels and entrypoint match the locally built image', () => {
  assert.deepEqual(args(runtime, 'USER'), [`${runtimeUser.uid}:${runtimeUser.gid}`]);
  assert.deepEqual(args(runtime, 'WORKDIR'), [workdir]);
  assert.deepEqual(args(runtime, 'ENTRYPOINT').map(execForm), [[...entrypoint]]);
  assert.deepEqual([...stagePairs(runtime, 'ENV')].map(([k, v]) => `${k}=${v}`), [...runtimeEnv]);
  assert.deepEqual(Object.fromEntries(stagePairs(runtime, 'LABEL')), imageLabels(pkg));
  assert.equal(args(runtime, 'CMD').length, 0);
});

test('the build context leaves out tests, fixtures, dependencies and the admin .env', () => {
  const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
  for (const pattern of ['**/*.test.ts', '**/testdata', 'node_modules', 'dist', '.env', '.cluster']) assert.ok(ignored.includes(pattern), pattern);
});
