// The controller's container image, described once. The Containerfile (for builders that can pull
// node:26 from a registry) and the local build (controller-image.ts, from Debian packages) both
// follow these values; containerfile.test.ts holds the Containerfile to them.
import { BUNDLE_DIR, FIXED_ENTRY_NAME } from '../../../bundle/bundle.ts';
import { projectCompileCacheDir } from '../../../controllers/runtime/compile-cache.ts';
import { controllerNodeOptions } from '../../../controllers/runtime/node-options.ts';
import { aptCleanup, type ImageConfig, type ImageRecipe } from './recipes.ts';

/** The uid/gid distroless images call nonroot: unused by Debian, by node images and by notebooks. */
export const runtimeUser = { name: 'nonroot', uid: 65532, gid: 65532 } as const;
export const workdir = '/app';
/** The controller bundled (bundle/bundle.ts): dist/main.js and its chunks, built with the image. */
export const bundledEntry = `${BUNDLE_DIR}/${FIXED_ENTRY_NAME}`;
export const entrypoint = ['node', bundledEntry] as const;
export const runtimeEnv: readonly string[] = [
  'NODE_ENV=production',
  // The V8 flags in the environment, not on the command line: the build fills the compile cache
  // with this same environment, and V8 keeps a cache only for the flags it was made with.
  `NODE_OPTIONS=${controllerNodeOptions()}`,
  ...Object.entries(compileCacheEnv(workdir)).map(([name, value]) => `${name}=${value}`),
];
/** Where the image's node binary lives, as in the official node images. */
export const nodeBinaryPath = '/usr/local/bin/node';
export const sourceUrl = 'https://github.com/imagespec/imagespec-controller';

/** The programs the image runs: the controller, and the exec probes of a Pod on the host network. */
export const imageEntryPoints = [bundledEntry, 'controllers/probe.ts'] as const;
/** The sources they are made from: the image carries these too (the bundle's source map points at them). */
export const sourceEntryPoints = ['controllers/main.ts', 'controllers/probe.ts'] as const;

/**
 * Points Node at the module compile cache of the app in `appDir` (controllers/runtime/compile-cache.ts),
 * which the image carries, filled when it is built and read-only at run time. In the environment,
 * Node turns it on before it loads the entry point, and the exec probes (`node controllers/probe.ts`)
 * use it too. Portable: it is filled in a staging directory, not in /app.
 */
export function compileCacheEnv(appDir: string): Record<string, string> {
  return { NODE_COMPILE_CACHE: projectCompileCacheDir(appDir), NODE_COMPILE_CACHE_PORTABLE: '1' };
}

/** An environment given as `NAME=value` lines, as an image config holds it. */
export function envRecord(lines: readonly string[]): Record<string, string> {
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/**
 * What Node's debug output of the compile cache (NODE_DEBUG_NATIVE=COMPILE_CACHE) tells of each
 * module it compiled: how many took their code from the cache, and which did not (the script
 * given with -e is never in it).
 */
export function compileCacheUse(debugOutput: string): { accepted: number; missed: string[] } {
  let accepted = 0;
  const missed: string[] = [];
  for (const match of debugOutput.matchAll(/V8 code cache for \S+ (\S+) was ([^,\n]+)|no transpile cache for \S+ (\S+)/g)) {
    const module = match[1] ?? match[3] ?? '';
    if (module.includes('[eval')) continue;
    if (match[2] === 'accepted') accepted += 1;
    else missed.push(module);
  }
  return { accepted, missed };
}

/** The sources the bundle is made from and the probe loads, relative to the repository root (see the import test). */
export const runtimeDirs = ['api', 'config', 'controllers', 'registry', 'render', 'templates'] as const;
export const runtimeRootFiles = ['package.json'] as const;

/** Tests and their fixtures stay out of the image at any depth. */
export function isTestFile(path: string): boolean {
  const segments = path.split('/');
  return segments.includes('testdata') || /\.test\.ts$/.test(segments.at(-1) ?? '');
}

/** The runtime files among `paths` (repository-relative, `/`-separated), sorted. */
export function selectRuntimeFiles(paths: readonly string[]): string[] {
  const dirs = new Set<string>(runtimeDirs);
  const rootFiles = new Set<string>(runtimeRootFiles);
  return paths
    .filter((path) => rootFiles.has(path) || (dirs.has(path.split('/')[0] ?? '') && path.includes('/')))
    .filter((path) => !isTestFile(path))
    .sort();
}

/** Files npm packages ship that nothing loads at run time: type declarations and source maps. */
export const prunedDependencyPatterns = ['*.d.ts', '*.d.mts', '*.d.cts', '*.map'] as const;

export function isPrunedDependencyFile(name: string): boolean {
  return /\.d\.[mc]?ts$|\.map$/.test(name);
}

/** The fields of package.json the image is labelled with. */
export interface PackageInfo {
  name: string;
  version: string;
  description: string;
  license: string;
}

export function imageLabels(pkg: PackageInfo): Record<string, string> {
  return {
    'org.opencontainers.image.title': pkg.name,
    'org.opencontainers.image.description': pkg.description,
    'org.opencontainers.image.version': pkg.version,
    'org.opencontainers.image.licenses': pkg.license,
    'org.opencontainers.image.source': sourceUrl,
  };
}

export function controllerImageConfig(pkg: PackageInfo): ImageConfig {
  return {
    User: `${runtimeUser.uid}:${runtimeUser.gid}`,
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...runtimeEnv],
    Entrypoint: [...entrypoint],
    WorkingDir: workdir,
    Labels: imageLabels(pkg),
  };
}

/**
 * Files of Debian packages no process in the image reads: documentation (the copyright files
 * stay), manual pages, translations, package lists and the logs of the installation.
 */
const slimDown = [
  aptCleanup,
  'find /usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete',
  'find /usr/share/doc -mindepth 1 -type d -empty -delete',
  'rm -rf /usr/share/man/* /usr/share/info/* /usr/share/locale/* /usr/share/lintian',
  'rm -f /var/cache/debconf/*-old /var/lib/dpkg/*-old',
  'find /var/log -type f -delete',
];

/**
 * Debian bookworm minbase with what Node's binary links against besides glibc and libstdc++
 * (libatomic1) and the runtime user. No ca-certificates: the controller trusts the cluster's CA
 * file and Node carries its own root store.
 */
export const controllerBaseRecipe: ImageRecipe = {
  repository: 'imagespec/controller-base',
  tag: 'bookworm',
  source: {
    kind: 'debootstrap',
    suite: 'bookworm',
    include: ['libatomic1'],
    setup: [
      `groupadd --gid ${runtimeUser.gid} ${runtimeUser.name}`,
      `useradd --uid ${runtimeUser.uid} --gid ${runtimeUser.gid} --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ${runtimeUser.name}`,
      ...slimDown,
    ],
  },
  config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['bash'] },
};

/** Everything that decides the controller image besides file contents; hashed with them. */
export interface ControllerImageRecipe {
  repository: 'imagespec/controller';
  /** package.json's version; the image is also tagged `<version>-<hash>`. */
  tag: string;
  /** The recipe hash of the Debian base layer. */
  baseHash: string;
  config: ImageConfig;
  nodeBinaryPath: string;
  prunedDependencyPatterns: readonly string[];
  /** Whether the node binary is stripped of symbols (needs binutils' strip on the machine). */
  stripNode: boolean;
}

export function controllerImageRecipe(pkg: PackageInfo, baseHash: string, stripNode: boolean): ControllerImageRecipe {
  return {
    repository: 'imagespec/controller',
    tag: pkg.version,
    baseHash,
    config: controllerImageConfig(pkg),
    nodeBinaryPath,
    prunedDependencyPatterns,
    stripNode,
  };
}

/** One line per input file (`path sha256`), in path order: the content part of the image's hash. */
export function fileDigestLines(digests: ReadonlyMap<string, string>): string[] {
  return [...digests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, digest]) => `${path} ${digest}`);
}

/** Paths (relative to the image's root) a working controller image has. */
export const requiredImagePaths = [
  nodeBinaryPath.slice(1),
  'usr/lib/x86_64-linux-gnu/libatomic.so.1',
  'app/package.json',
  'app/controllers/main.ts',
  `app/${bundledEntry}`,
  'app/templates/Dockerfile.hbs',
  'app/node_modules/@kubernetes/client-node/package.json',
] as const;

/** What is wrong with an image root filesystem, given its paths (relative, `/`-separated). */
export function rootfsProblems(paths: readonly string[]): string[] {
  const present = new Set(paths);
  const problems = requiredImagePaths.filter((path) => !present.has(path)).map((path) => `missing ${path}`);
  const unwanted = (path: string) =>
    /^app\/node_modules\/(typescript|node|\.bin)(\/|$)/.test(path) ||
    /^app\/(\.env|e2e|cli)(\/|$)/.test(path) ||
    (path.startsWith('app/') && !path.startsWith('app/node_modules/') && isTestFile(path)) ||
    (path.startsWith('app/node_modules/') && isPrunedDependencyFile(path));
  const extra = paths.filter(unwanted);
  return [...problems, ...extra.slice(0, 10).map((path) => `unexpected ${path}`), ...(extra.length > 10 ? [`and ${extra.length - 10} more unexpected paths`] : [])];
}

export interface LayerSize {
  /** The gzipped blob, as pushed and pulled. */
  compressed: number;
  /** The layer's tar stream, about what it takes on a node's disk. */
  unpacked: number;
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export function describeSizes(layers: readonly LayerSize[]): string {
  const total = (key: keyof LayerSize) => layers.reduce((sum, layer) => sum + layer[key], 0);
  const perLayer = layers.map((layer) => `${megabytes(layer.compressed)} / ${megabytes(layer.unpacked)}`).join(', ');
  return `${megabytes(total('compressed'))} compressed, ${megabytes(total('unpacked'))} unpacked (layers, compressed / unpacked: ${perLayer})`;
}
