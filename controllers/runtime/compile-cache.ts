// Node's module compile cache for the controller's process: the V8 code cache of every module and
// the type-stripped source of every .ts file, kept on disk, so that a start does not parse and
// compile again what it loads: the bundle's few dozen files in the image and under `npm start`,
// ~1,600 modules (mostly @kubernetes/client-node) when run from the sources; loading takes a third
// less time. An optimisation only: when no directory is usable the modules load as before,
// and nothing here ever throws.
//
// It must be on before the modules are compiled, and ESM compiles a module's whole static import
// graph before running any of it: an entry point turns it on, then imports the rest dynamically.
import { existsSync } from 'node:fs';
import { constants, enableCompileCache, flushCompileCache, type EnableCompileCacheOptions, type EnableCompileCacheResult } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CompileCacheCandidate {
  directory: string;
  /** Entries keyed by paths relative to the directory, so a cache filled elsewhere still matches. */
  portable: boolean;
}

export interface CompileCacheOutcome {
  status: 'enabled' | 'already-enabled' | 'disabled' | 'failed';
  directory?: string;
  /** Why each directory tried before was not usable. */
  failures: string[];
}

export type EnableCompileCache = (options: EnableCompileCacheOptions) => EnableCompileCacheResult;

/**
 * The nearest directory at or above `dir` that holds a package.json: /app in the image, the checkout
 * otherwise. Found by looking, because this module runs from its source (controllers/runtime/) and
 * from the bundle (dist/), at different depths.
 */
export function projectRootAbove(dir: string): string {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'package.json'))) return current;
    if (dirname(current) === current) return dir;
  }
}

const projectRoot = projectRootAbove(dirname(fileURLToPath(import.meta.url)));

/**
 * Where the cache may live, best first. The project's own directory is the one the image fills
 * when it is built (e2e/node/images/controller-image.ts): portable, because it is filled in a
 * staging directory, not in /app. At run time the image's root filesystem is read-only, which Node
 * tolerates: it reads the entries and skips writing. An image built without one (the Containerfile)
 * cannot create it there, so the temporary directory follows (an emptyDir in the chart: it serves
 * the restarts of a container), not portable, so Node keeps it apart per user.
 */
export function compileCacheCandidates(root: string = projectRoot, temporary: string = tmpdir()): CompileCacheCandidate[] {
  return [
    { directory: projectCompileCacheDir(root), portable: true },
    { directory: join(temporary, 'imagespec-controller-compile-cache'), portable: false },
  ];
}

/** The project's own cache directory, in its node_modules (which git and the image's file list leave out). */
export function projectCompileCacheDir(root: string): string {
  return join(root, 'node_modules', '.cache', 'imagespec-controller', 'compile-cache');
}

const STATUS: Record<number, CompileCacheOutcome['status']> = {
  [constants.compileCacheStatus.ENABLED]: 'enabled',
  [constants.compileCacheStatus.ALREADY_ENABLED]: 'already-enabled',
  [constants.compileCacheStatus.DISABLED]: 'disabled',
};

/**
 * Turns the cache on in the first candidate Node accepts. NODE_COMPILE_CACHE, when set, wins (Node
 * turned the cache on at start: already-enabled), and NODE_DISABLE_COMPILE_CACHE=1 keeps it off.
 */
export function enableFirstUsable(candidates: readonly CompileCacheCandidate[], enable: EnableCompileCache = enableCompileCache): CompileCacheOutcome {
  const failures: string[] = [];
  for (const candidate of candidates) {
    let result: EnableCompileCacheResult;
    try {
      result = enable({ directory: candidate.directory, portable: candidate.portable });
    } catch (error) {
      failures.push(`${candidate.directory}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const status = STATUS[result.status];
    if (status) return { status, ...(result.directory ? { directory: result.directory } : {}), failures };
    failures.push(`${candidate.directory}: ${result.message ?? 'not usable'}`);
  }
  return { status: 'failed', failures };
}

/** The compile cache of this process, on in the first usable directory. */
export function enableModuleCompileCache(): CompileCacheOutcome {
  return enableFirstUsable(compileCacheCandidates());
}

/**
 * Writes the entries compiled so far. Node writes them at exit too; writing them once the modules
 * are loaded also serves a process that is killed (the next start finds them). Only new entries
 * are written: nothing, once the cache is warm.
 */
export function saveModuleCompileCache(): void {
  try {
    flushCompileCache();
  } catch {
    // An optimisation only.
  }
}
