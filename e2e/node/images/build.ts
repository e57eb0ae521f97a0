// Builds the node's images into OCI layouts in the cache, once per recipe hash:
// debootstrap (about a minute each) or `go build`, then a tar of the root filesystem.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goEnv } from '../../cluster/build.ts';
import { cacheDir } from '../../cluster/paths.ts';
import { unmountBelow } from '../mounts.ts';
import { imageCacheDir } from '../paths.ts';
import { run } from '../run.ts';
import { writeOciLayout, type Descriptor } from './oci.ts';
import { recipeHash, type DebootstrapSource, type GoBinarySource, type ImageRecipe } from './recipes.ts';

export type Log = (line: string) => void;

const nodeModuleDir = dirname(dirname(fileURLToPath(import.meta.url)));

export interface BuiltImage {
  recipe: ImageRecipe;
  hash: string;
  /** OCI layout directory; index.json names the image `<tag>-<hash>`. */
  layoutDir: string;
  manifest: Descriptor;
}

/** The first deb URI of the machine's apt sources (deb822 or one-line format). */
export function debianMirror(sources: string[]): string | undefined {
  for (const text of sources) {
    const deb822 = /^URIs:\s*(\S+)/m.exec(text);
    if (deb822?.[1] && !deb822[1].includes('security')) return deb822[1];
    const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+/m.exec(text);
    if (oneLine?.[1]) return oneLine[1];
  }
  return undefined;
}

function mirror(env: NodeJS.ProcessEnv = process.env): string {
  if (env['IMAGESPEC_DEBIAN_MIRROR']) return env['IMAGESPEC_DEBIAN_MIRROR'];
  const files = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'].filter((f) => existsSync(f));
  return debianMirror(files.map((f) => readFileSync(f, 'utf8'))) ?? 'http://deb.debian.org/debian';
}

export const hostCaDir = '/usr/local/share/ca-certificates';

/** The machine's extra CA certificates (path -> PEM), as update-ca-certificates finds them. */
function hostCaCertificates(): Map<string, string> {
  const found = new Map<string, string>();
  if (!existsSync(hostCaDir)) return found;
  for (const entry of readdirSync(hostCaDir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (entry.endsWith('.crt')) found.set(entry, readFileSync(join(hostCaDir, entry), 'utf8'));
  }
  return found;
}

/** Inputs a recipe reads besides itself, so editing them invalidates the cached image. */
function recipeInputs(recipe: ImageRecipe): string[] {
  if (recipe.source.kind === 'debootstrap') {
    return recipe.source.hostCaCertificates ? [...hostCaCertificates()].map(([path, pem]) => `${path}\n${pem}`) : [];
  }
  const moduleDir = join(nodeModuleDir, recipe.source.module);
  const goVersion = execFileSync('go', ['version'], { encoding: 'utf8' }).trim();
  return [readFileSync(join(moduleDir, 'go.mod'), 'utf8'), readFileSync(join(moduleDir, 'main.go'), 'utf8'), goVersion];
}

/** What names an image in the cache and in the registry. */
export type ImageName = Pick<ImageRecipe, 'repository' | 'tag'>;

const cacheKey = (name: ImageName) => name.repository.replaceAll('/', '_');

export function cachedLayoutDir(name: ImageName, hash: string): string {
  return join(imageCacheDir(), `${cacheKey(name)}-${hash}`);
}

/** A fresh working directory for one build, and the log file of that build. */
export function newBuildWork(name: ImageName, hash: string): { work: string; logFile: string } {
  const tmpRoot = join(imageCacheDir(), 'tmp');
  mkdirSync(tmpRoot, { recursive: true });
  return { work: mkdtempSync(join(tmpRoot, `${cacheKey(name)}-`)), logFile: join(imageCacheDir(), 'logs', `${cacheKey(name)}-${hash}.log`) };
}

const markerFile = 'built.json';

export interface CacheMarker {
  manifest: Descriptor;
}

/** What storeLayout recorded for a complete cached layout, if the cache holds one. */
export function readCacheMarker<T extends CacheMarker>(name: ImageName, hash: string): T | undefined {
  const marker = join(cachedLayoutDir(name, hash), markerFile);
  return existsSync(marker) ? (JSON.parse(readFileSync(marker, 'utf8')) as T) : undefined;
}

/** Moves a finished layout into the cache, marked complete, in place of older builds of the repository. */
export function storeLayout(name: ImageName, hash: string, layoutDir: string, marker: CacheMarker & Record<string, unknown>): string {
  writeFileSync(join(layoutDir, markerFile), `${JSON.stringify({ ...marker, hash, builtAt: new Date().toISOString() }, null, 2)}\n`);
  const finalDir = cachedLayoutDir(name, hash);
  rmSync(finalDir, { recursive: true, force: true });
  renameSync(layoutDir, finalDir);
  removeOlderBuilds(name, hash);
  return finalDir;
}

function readCached(recipe: ImageRecipe, hash: string): BuiltImage | undefined {
  const marker = readCacheMarker(recipe, hash);
  return marker && { recipe, hash, layoutDir: cachedLayoutDir(recipe, hash), manifest: marker.manifest };
}

/** Files a root filesystem tarball must not carry: kernel filesystems and debootstrap's leftovers. */
const tarExcludes = ['./proc/*', './sys/*', './dev/*', './debootstrap', './run/*', './tmp/*'];

async function debootstrapRootfs(source: DebootstrapSource, rootfs: string, logFile: string): Promise<void> {
  const debCache = join(imageCacheDir(), 'debs');
  mkdirSync(debCache, { recursive: true });
  const include = source.include.length > 0 ? [`--include=${source.include.join(',')}`] : [];
  await run('debootstrap', ['--variant=minbase', `--cache-dir=${debCache}`, ...include, source.suite, rootfs, mirror()], { logFile });
  if (source.hostCaCertificates) {
    for (const [path, pem] of hostCaCertificates()) {
      const target = join(rootfs, hostCaDir, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, pem);
    }
  }
  const chrootEnv = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' };
  for (const command of source.setup) {
    await run('chroot', [rootfs, '/bin/sh', '-ec', command], { logFile, env: chrootEnv });
  }
}

async function goBinaryRootfs(source: GoBinarySource, rootfs: string, logFile: string): Promise<void> {
  const output = join(rootfs, source.path);
  mkdirSync(dirname(output), { recursive: true });
  await run('go', ['build', '-buildvcs=false', '-trimpath', '-ldflags=-s -w', '-o', output, '.'], {
    cwd: join(nodeModuleDir, source.module),
    env: goEnv(cacheDir()),
    logFile,
  });
}

async function buildImage(recipe: ImageRecipe, hash: string, log: Log): Promise<BuiltImage> {
  const { work, logFile } = newBuildWork(recipe, hash);
  const rootfs = join(work, 'rootfs');
  const started = Date.now();
  log(`Building image ${recipe.repository}:${recipe.tag} (${recipe.source.kind}; log ${logFile})`);
  try {
    if (recipe.source.kind === 'debootstrap') await debootstrapRootfs(recipe.source, rootfs, logFile);
    else await goBinaryRootfs(recipe.source, rootfs, logFile);
    const layerTar = join(work, 'layer.tar');
    const excludes = tarExcludes.map((pattern) => `--exclude=${pattern}`);
    await run('tar', ['--numeric-owner', '--xattrs', '-C', rootfs, '-cf', layerTar, ...excludes, '.'], { logFile });
    const layoutDir = join(work, 'oci');
    const manifest = await writeOciLayout({ layoutDir, layerTar, config: recipe.config, ref: `${recipe.tag}-${hash}` });
    const finalDir = storeLayout(recipe, hash, layoutDir, { recipe, manifest });
    log(`Built image ${recipe.repository}:${recipe.tag} in ${Math.round((Date.now() - started) / 1000)} s`);
    return { recipe, hash, layoutDir: finalDir, manifest };
  } finally {
    // debootstrap mounts /proc and /sys inside the root filesystem; never delete through a mount.
    await unmountBelow(work);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Cached builds of the same repository from older recipes: replaced, so they only cost disk. */
function removeOlderBuilds(name: ImageName, hash: string): void {
  const current = cachedLayoutDir(name, hash);
  const prefix = `${cacheKey(name)}-`;
  for (const entry of readdirSync(imageCacheDir())) {
    const path = join(imageCacheDir(), entry);
    if (entry.startsWith(prefix) && /^[0-9a-f]{12}$/.test(entry.slice(prefix.length)) && path !== current) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}

/** The image from the cache, or built now. */
export async function ensureImage(recipe: ImageRecipe, log: Log): Promise<BuiltImage> {
  const hash = recipeHash(recipe, recipeInputs(recipe));
  const cached = readCached(recipe, hash);
  if (cached) return cached;
  return buildImage(recipe, hash, log);
}
