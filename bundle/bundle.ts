// The controller as it runs: its modules and its dependencies bundled into a few minified files.
// Loaded from source, a start reads ~1,600 modules (1,033 files of @kubernetes/client-node) and
// keeps every module's record and source text for the life of the process. Bundled, the same
// program is an entry file and a few dozen small chunks: measured on an empty namespace, ready in
// 303 ms instead of 615 and 89 MB resident instead of 150 (README, Performance).
//
// Code splitting keeps the entry's shape: controllers/main.ts turns the module compile cache on,
// then imports the rest dynamically, and each dynamic import becomes a chunk loaded after the cache
// is on. Every file lands in one directory one level below the project root, so a module that finds
// files relative to its own URL (render/templates.ts: ../templates/) finds them from the bundle too.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildSync, type BuildOptions, type OutputFile } from 'esbuild';

/** The source the bundle starts from, relative to the project root. */
export const BUNDLE_ENTRY = 'controllers/main.ts';
/** Where bundles go, relative to the project root (one level down: see above). */
export const BUNDLE_DIR = 'dist';
/** The entry file's name when names are fixed (the image): dist/main.js. */
export const FIXED_ENTRY_NAME = 'main.js';

// Dependencies written as CommonJS (winston and its formats) call require() for Node's built-in
// modules; in an ES module there is none unless the bundle makes one.
const REQUIRE_SHIM = "import { createRequire as __imagespecCreateRequire } from 'node:module'; const require = __imagespecCreateRequire(import.meta.url);";

/**
 * The build settings: minified (identifiers too: 12 MB less resident than whitespace only), with a
 * linked source map so `node --enable-source-maps` gives stack traces in the sources' terms.
 * `hashed` names every file by its content, so bundles of different sources never overwrite
 * each other (tests and `npm start` in several processes at once).
 */
export function bundleOptions(root: string, outdir: string, hashed: boolean): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: [join(root, BUNDLE_ENTRY)],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node26',
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    banner: { js: REQUIRE_SHIM },
    entryNames: hashed ? '[name]-[hash]' : '[name]',
    chunkNames: 'chunk-[hash]',
    legalComments: 'linked',
    logLevel: 'silent',
    write: false,
  };
}

/** Bundles the controller in memory; throws with esbuild's messages when it cannot. */
export function bundleFiles(root: string, outdir: string, hashed: boolean): OutputFile[] {
  const result = buildSync(bundleOptions(root, outdir, hashed));
  if (result.warnings.length > 0) {
    throw new Error(`bundling ${BUNDLE_ENTRY} warned: ${result.warnings.map((warning) => warning.text).join('; ')}`);
  }
  return result.outputFiles ?? [];
}

/** An entry file's name, fixed (main.js) or content-named (main-<hash>.js). */
const ENTRY_NAME = /^main(-[A-Z0-9]+)?\.js$/;

/** The output file that is the entry point (the one named after main.ts). */
export function entryFile(files: readonly OutputFile[]): OutputFile {
  const entry = files.find((file) => ENTRY_NAME.test(basename(file.path)));
  if (!entry) throw new Error(`the bundle has no entry file among ${files.map((file) => basename(file.path)).join(', ')}`);
  return entry;
}

/**
 * Writes each file under a temporary name, then renames it into place: a process reading the
 * directory never sees half a file, and two writing the same content-named file agree. The entry
 * goes last, so whoever finds it finds its chunks.
 */
export function writeFiles(files: readonly OutputFile[]): void {
  const entry = entryFile(files);
  for (const file of [...files.filter((f) => f !== entry), entry]) {
    mkdirSync(join(file.path, '..'), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}

/** Bundles with fixed names into <root>/dist (the image, `npm run bundle`); returns the entry's path. */
export function writeBundle(root: string): string {
  const files = bundleFiles(root, join(root, BUNDLE_DIR), false);
  writeFiles(files);
  return entryFile(files).path;
}

// A bundle an earlier build left is deleted once it is this old: a process loads its chunks within
// its first second, so nothing running still needs it.
const STALE_BUNDLE_MS = 60 * 60_000;

const CONTENT_NAMED_ENTRY = /^main-[A-Z0-9]+\.js/;
const CHUNK = /^chunk-[A-Z0-9]+\.js/;
const CHUNK_REFERENCE = /chunk-[A-Z0-9]+\.js/g;
/** The entry or chunk a file belongs to: main-X.js.map and main-X.js.LEGAL.txt go with main-X.js. */
const codeFileOf = (name: string) => /^[\w-]+\.js/.exec(name)?.[0] ?? name;

/** The chunks the entries in `dir` load, directly or through other chunks. */
function reachableChunks(dir: string, entries: readonly string[]): Set<string> {
  const reached = new Set<string>();
  const pending = [...entries];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    let text: string;
    try {
      text = readFileSync(join(dir, name), 'utf8');
    } catch {
      continue;
    }
    for (const [chunk] of text.matchAll(CHUNK_REFERENCE)) {
      if (!reached.has(chunk)) {
        reached.add(chunk);
        pending.push(chunk);
      }
    }
  }
  return reached;
}

/**
 * Deletes what earlier content-named builds left in `dir` once it is older than STALE_BUNDLE_MS:
 * their entries (main-<hash>.js), then every chunk no remaining entry loads. `keep` (this build)
 * and the fixed-name bundle (`npm run bundle`: main.js and its chunks) always stay.
 */
export function pruneStaleBundles(dir: string, keep: ReadonlySet<string>, now = Date.now()): void {
  if (!existsSync(dir)) return;
  const stale = (name: string) => {
    const path = join(dir, name);
    if (keep.has(path) || keep.has(join(dir, codeFileOf(name)))) return false;
    try {
      return now - statSync(path).mtimeMs > STALE_BUNDLE_MS;
    } catch {
      return false;
    }
  };
  const remove = (name: string) => rmSync(join(dir, name), { force: true });
  const names = readdirSync(dir);
  for (const name of names) {
    if ((CONTENT_NAMED_ENTRY.test(name) || name.endsWith('.tmp')) && stale(name)) remove(name);
  }
  const entries = readdirSync(dir).filter((name) => ENTRY_NAME.test(name));
  const loaded = reachableChunks(dir, entries);
  for (const name of readdirSync(dir)) {
    if (CHUNK.test(name) && !loaded.has(codeFileOf(name)) && stale(name)) remove(name);
  }
}

const built = new Map<string, string>();

/**
 * The controller bundled from the sources as they are now, content-named under dist/: what
 * `npm start`, the tests and the benchmark run. Built once per process (esbuild takes about half
 * a second); returns the entry's path.
 */
export function currentBundle(root: string): string {
  const known = built.get(root);
  // Gone only if the sources changed over an hour ago and another process pruned it: build again.
  if (known && existsSync(known)) return known;
  const outdir = join(root, BUNDLE_DIR);
  const files = bundleFiles(root, outdir, true);
  writeFiles(files);
  pruneStaleBundles(outdir, new Set(files.map((file) => file.path)));
  const entry = entryFile(files).path;
  built.set(root, entry);
  return entry;
}
