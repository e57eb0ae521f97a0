// The one object every template sees. Every field a template uses is always present (templates
// are compiled in strict mode), and every value has been checked for the place it is written to.
import { createHash } from 'node:crypto';
import type { BuildArg, Packages } from '../api/types.ts';
import type { BuildSecurity } from '../config/types.ts';
import { assertSafeImageReference, assertSafeRegistryHost, qualifyImageReference } from './image-reference.ts';
import { MANAGERS, type PackageManager } from '../api/packages.ts';
import { checkedPackages, LIST_FILES, listFileContent } from './package-lists.ts';
import { BUILD_ARGS_FILE, checkedBuildArgs } from './build-args.ts';
import { BUILD_POD_PATHS, LOCAL_IMAGE_NAME, REGISTRY_CA_FILE, SOURCE_DIR } from './paths.ts';
import { PATTERNS } from '../api/grammar.ts';
import { STEP_FAILURES, stepFailureView, type StepFailure } from './step-failures.ts';

/** What is built: an ImageSpecJob's spec satisfies it. */
export interface BuildInput {
  /** The image the packages go on; absent when `build` gives a Dockerfile. */
  baseImage?: string;
  /**
   * The user's Dockerfile (spec.build), built first: from the source directory of the context, or
   * from paths.source: the claim mounted there (`context.persistentVolumeClaim`) or the archive
   * the download step unpacked there (`context.url`).
   */
  build?: { dockerfile: string; target?: string; context?: { persistentVolumeClaim?: { path?: string }; url?: { path?: string } } };
  packages?: Packages;
  buildArgs?: BuildArg[];
  /** Where the controller pushes the image; absent when only the Dockerfile is wanted (imagespec render). */
  targetImage?: string;
  /** Where push.sh uploads the built image for the controller to push (this job's upload URL). */
  uploadUrl?: string;
  /**
   * The namespace's layer cache at the build endpoint, `<endpoint host>/<namespace>/build_cache`,
   * when the admin turned the registry cache on (IMAGESPEC_BUILD_REGISTRY_CACHE).
   */
  layerCache?: string;
}

/** The settings rendering needs; the controller's Config satisfies it. */
export interface RenderSettings {
  build?: {
    /** Registries reached over plain HTTP / without TLS verification (host[:port]). */
    insecureRegistries?: readonly string[];
    /** Registries reached over HTTPS without verification (host[:port]). */
    skipTlsVerifyRegistries?: readonly string[];
    security?: Partial<Pick<BuildSecurity, 'isolation' | 'storageDriver'>>;
  };
  /** The admin's CA bundle for registries with a private CA (config/ca-bundle.ts). */
  registryCa?: { pem?: string };
}

export interface PackageView {
  enabled: boolean;
  /** The list file in the build context. */
  file: string;
  count: number;
  /**
   * SHA-256 of the list file. The install step bind-mounts the list instead of copying it (one
   * layer less, and with vfs every layer is a copy of the whole root filesystem), and buildah's
   * layer cache keys a RUN step on its text only, not on mounted files: the digest in the RUN
   * line makes a changed list miss the cache.
   */
  digest: string;
}

export interface ViewModel {
  generator: string;
  /** The base image, fully qualified (docker.io/library/... for bare names); empty for a Dockerfile build. */
  baseImage: string;
  /**
   * A build of the user's Dockerfile (spec.build): its files are in `dir` of the build context, or,
   * when `mounted`, at `path` (the field `pathField`) of the `origin` (a claim or an unpacked archive)
   * at paths.source; build.sh builds `dockerfile` (stage `target`, empty for the last) first, and
   * the Dockerfile template installs the packages on top of that image.
   */
  source: { enabled: boolean; mounted: boolean; origin: string; dir: string; path: string; pathField: string; dockerfile: string; target: string };
  /** The base image as the user wrote it. */
  requestedBaseImage: string;
  /** Empty when no target was given. */
  targetImage: string;
  /** Empty when no upload URL was given. */
  uploadUrl: string;
  /**
   * registries.conf's `insecure = true` entries: both lists, since containers/image has one switch
   * for them (no verification, then plain HTTP).
   */
  insecureRegistries: string[];
  /** The admin's CA bundle in the build context: `file` for build.sh (--cert-dir). */
  registryCa: { enabled: boolean; file: string };
  /** The layer cache buildah reads and writes through the build endpoint (--cache-from, --cache-to): `registry` is its host. */
  layerCache: { enabled: boolean; registry: string; repository: string };
  packages: Record<PackageManager, PackageView>;
  /**
   * spec.buildArgs, sorted by name: `names` for the Dockerfile's ARG lines (identifiers only),
   * `list` for admin templates that want the values too, `file` for build.sh.
   */
  buildArgs: { enabled: boolean; file: string; names: string[]; list: BuildArg[] };
  build: { isolation: BuildSecurity['isolation']; storageDriver: BuildSecurity['storageDriver'] };
  paths: typeof BUILD_POD_PATHS;
  localImage: string;
  /** The install steps' own failure causes: the Dockerfile exits with their codes, build.sh explains them. */
  stepFailures: typeof STEP_FAILURES;
  /** The same, as a list for build.sh's case statement. */
  stepFailureList: Array<StepFailure & { listFile: string }>;
}

const ISOLATIONS: readonly string[] = ['chroot', 'oci', 'rootless'];
const STORAGE_DRIVERS: readonly string[] = ['vfs', 'overlay'];

// Written into a single-quoted shell word: scheme, host, port and a path of plain characters only.
const SAFE_UPLOAD_URL = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[A-Za-z0-9._-]+)*$/;
// Written into a single-quoted shell word and registries.conf: a host, a port, a namespace and the cache's name.
const SAFE_LAYER_CACHE = /^([A-Za-z0-9.-]+(?::[0-9]{1,5})?)\/[a-z0-9-]+\/build_cache$/;

function oneOf<T extends string>(field: string, value: T, allowed: readonly string[]): T {
  if (!allowed.includes(value)) throw new Error(`${field}: must be one of ${allowed.join(', ')}`);
  return value;
}

export function buildViewModel(input: BuildInput, settings: RenderSettings = {}): ViewModel {
  const baseImage = input.build ? '' : (input.baseImage ?? '');
  if (!input.build) assertSafeImageReference('spec.baseImage', baseImage);
  const source = sourceView(input.build);
  const targetImage = input.targetImage ?? '';
  if (targetImage) assertSafeImageReference('spec.targetImage', targetImage);
  const uploadUrl = input.uploadUrl ?? '';
  if (uploadUrl && !SAFE_UPLOAD_URL.test(uploadUrl)) throw new Error(`uploadUrl: ${JSON.stringify(uploadUrl)} is not a URL that can be rendered safely`);

  const layerCache = input.layerCache ?? '';
  const cacheHost = layerCache ? SAFE_LAYER_CACHE.exec(layerCache)?.[1] : '';
  if (cacheHost === undefined) throw new Error(`layerCache: ${JSON.stringify(layerCache)} is not a cache repository that can be rendered safely`);
  // The build endpoint speaks plain HTTP: its host is an insecure registry to buildah.
  const insecureRegistries = [...(settings.build?.insecureRegistries ?? []), ...(settings.build?.skipTlsVerifyRegistries ?? []), ...(cacheHost ? [cacheHost] : [])].filter(
    (host, index, all) => all.indexOf(host) === index,
  );
  insecureRegistries.forEach((host, index) => assertSafeRegistryHost(`insecureRegistries[${index}]`, host));

  const lists = checkedPackages(input.packages);
  const packages = Object.fromEntries(
    MANAGERS.map((manager) => [
      manager,
      {
        enabled: lists[manager].length > 0,
        file: LIST_FILES[manager],
        count: lists[manager].length,
        digest: createHash('sha256').update(listFileContent(lists[manager])).digest('hex'),
      },
    ]),
  ) as Record<PackageManager, PackageView>;

  const buildArgs = checkedBuildArgs(input.buildArgs);
  const security = settings.build?.security ?? {};
  return {
    generator: 'imagespec-controller',
    baseImage: baseImage ? qualifyImageReference(baseImage) : '',
    requestedBaseImage: baseImage,
    source,
    targetImage,
    uploadUrl,
    insecureRegistries,
    registryCa: { enabled: Boolean(settings.registryCa?.pem), file: REGISTRY_CA_FILE },
    layerCache: { enabled: layerCache !== '', registry: cacheHost, repository: layerCache },
    packages,
    buildArgs: { enabled: buildArgs.length > 0, file: BUILD_ARGS_FILE, names: buildArgs.map((arg) => arg.name), list: buildArgs },
    build: {
      isolation: oneOf('build.security.isolation', security.isolation ?? 'chroot', ISOLATIONS),
      storageDriver: oneOf('build.security.storageDriver', security.storageDriver ?? 'vfs', STORAGE_DRIVERS),
    },
    paths: BUILD_POD_PATHS,
    localImage: LOCAL_IMAGE_NAME,
    stepFailures: STEP_FAILURES,
    stepFailureList: Object.values(STEP_FAILURES).map(stepFailureView),
  };
}

// Written into single-quoted shell words and a Dockerfile: the schema's grammars, checked again here.
const SAFE_CONTEXT_PATH = new RegExp(PATTERNS.contextPath, 'u');
const SAFE_TARGET = new RegExp(PATTERNS.buildTarget, 'u');

function sourceView(build: BuildInput['build']): ViewModel['source'] {
  if (!build) return { enabled: false, mounted: false, origin: '', dir: SOURCE_DIR, path: '', pathField: '', dockerfile: '', target: '' };
  if (!SAFE_CONTEXT_PATH.test(build.dockerfile)) throw new Error(`spec.build.dockerfile: ${JSON.stringify(build.dockerfile)} is not a path that can be rendered safely`);
  const target = build.target ?? '';
  if (target && !SAFE_TARGET.test(target)) throw new Error(`spec.build.target: ${JSON.stringify(target)} is not a stage name that can be rendered safely`);
  const claim = build.context?.persistentVolumeClaim;
  const archive = build.context?.url;
  const mounted = claim ?? archive;
  const pathField = claim ? 'spec.build.context.persistentVolumeClaim.path' : archive ? 'spec.build.context.url.path' : '';
  const path = mounted?.path ?? '';
  if (path && !SAFE_CONTEXT_PATH.test(path)) throw new Error(`${pathField}: ${JSON.stringify(path)} is not a path that can be rendered safely`);
  const origin = claim ? 'claim' : archive ? 'archive' : '';
  return { enabled: true, mounted: mounted !== undefined, origin, dir: SOURCE_DIR, path, pathField, dockerfile: build.dockerfile, target };
}

/**
 * View models with every optional part switched on, a base image build and a Dockerfile build
 * (the two exclude each other): used to try templates out at start-up.
 */
export function sampleViewModels(): ViewModel[] {
  const common = {
    packages: { apt: ['curl'], conda: ['numpy'], pip: ['requests'] },
    buildArgs: [{ name: 'PIP_INDEX_URL', value: 'https://pypi.example.com/simple' }],
    targetImage: 'registry.example.com/team/sample:0123456789ab',
    uploadUrl: 'http://127.0.0.1:8081/v1/namespaces/team/imagespecjobs/sample-0123456789ab/image',
    layerCache: '127.0.0.1:8081/team/build_cache',
  };
  const settings = { build: { insecureRegistries: ['registry.example.com'] }, registryCa: { pem: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n' } };
  return [
    buildViewModel({ ...common, baseImage: 'debian:bookworm' }, settings),
    buildViewModel({ ...common, build: { dockerfile: 'docker/Dockerfile', target: 'runtime', context: { persistentVolumeClaim: { path: 'projects/app' } } } }, settings),
  ];
}
