// What the node's locally built images contain. Nothing can be pulled from the internet here,
// so each image is made from Debian packages (debootstrap) or from our own Go module, and is
// cached under a hash of its recipe: change a recipe and the image is rebuilt.
import { createHash } from 'node:crypto';
import { baseRegistry } from '../registry.ts';

/** A Debian bookworm root filesystem: debootstrap minbase, extra packages, then setup commands. */
export interface DebootstrapSource {
  kind: 'debootstrap';
  suite: 'bookworm';
  include: string[];
  /** Shell run with chroot inside the new root filesystem, after the packages are installed. */
  setup: string[];
  /**
   * Copy the machine's own extra CA certificates (/usr/local/share/ca-certificates) into the
   * image before `setup`, as an organisation behind a TLS-inspecting proxy does with its base
   * images: this machine reaches PyPI through such a proxy.
   */
  hostCaCertificates?: boolean;
}

/** One static Go program as the whole image (FROM scratch). */
export interface GoBinarySource {
  kind: 'go-binary';
  /** Module directory, relative to e2e/node. */
  module: string;
  /** Path of the program inside the image. */
  path: string;
}

/** The parts of an OCI image config we set; see the image-spec's config.md. */
export interface ImageConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  Labels?: Record<string, string>;
}

export interface ImageRecipe {
  /** Repository path in the registry, e.g. "base/debian". */
  repository: string;
  /** The tag users name. The published image also gets "<tag>-<recipe hash>" (see taggedRefs). */
  tag: string;
  source: DebootstrapSource | GoBinarySource;
  config: ImageConfig;
}

/** Bumped when the way images are assembled changes, so cached ones are rebuilt. */
const assemblyVersion = '1';

const defaultPath = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const label = { 'org.opencontainers.image.source': 'imagespec-controller e2e/node' };

/** debootstrap leaves package lists and .deb files behind; real base images ship without them. */
export const aptCleanup = 'apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin';

export const pauseRecipe: ImageRecipe = {
  repository: 'imagespec/pause',
  tag: '1',
  source: { kind: 'go-binary', module: 'pause', path: '/pause' },
  config: { Entrypoint: ['/pause'], Labels: label },
};

/**
 * One image serves every build step: buildah for the build init container, tar and curl for the
 * context and push containers (the push streams the built image to the controller), unzip for the
 * download step of a zip context archive. runc is there for --isolation oci; the default chroot isolation needs none.
 * containernetworking-plugins satisfies containers-common's virtual container-network-stack,
 * which debootstrap cannot resolve by itself.
 */
export const builderRecipe: ImageRecipe = {
  repository: 'imagespec/builder',
  tag: 'bookworm',
  source: {
    kind: 'debootstrap',
    suite: 'bookworm',
    include: ['buildah', 'curl', 'unzip', 'runc', 'containernetworking-plugins', 'ca-certificates'],
    setup: [aptCleanup],
  },
  config: { Env: [defaultPath, 'BUILDAH_ISOLATION=chroot'], Cmd: ['/bin/sh'], Labels: label },
};

export const debianRecipe: ImageRecipe = {
  repository: 'base/debian',
  tag: 'bookworm',
  source: { kind: 'debootstrap', suite: 'bookworm', include: [], setup: [aptCleanup] },
  config: { Env: [defaultPath], Cmd: ['bash'], Labels: label },
};

/** The notebook user of the python base, as in Jupyter's images: uid 1000, group users (100). */
export const notebookUser = { name: 'jovyan', uid: 1000, gid: 100, home: '/home/jovyan' } as const;

/**
 * Python with pip usable by `pip install`: Debian 12 marks its python3 externally managed
 * (PEP 668), so, like the official python images, pip works in a venv at /opt/venv that comes
 * first on PATH. The venv belongs to the notebook user so it can install packages too.
 */
export const pythonRecipe: ImageRecipe = {
  repository: 'base/python',
  tag: '3.11-bookworm',
  source: {
    kind: 'debootstrap',
    suite: 'bookworm',
    include: ['python3', 'python3-venv', 'ca-certificates'],
    hostCaCertificates: true,
    setup: [
      'update-ca-certificates',
      // pip in a venv trusts its own bundled CA list unless told otherwise; this is the system one.
      "printf '[global]\\ncert = /etc/ssl/certs/ca-certificates.crt\\n' > /etc/pip.conf",
      'python3 -m venv /opt/venv',
      '/opt/venv/bin/pip --version',
      `useradd --uid ${notebookUser.uid} --gid ${notebookUser.gid} --create-home --home-dir ${notebookUser.home} --shell /bin/bash ${notebookUser.name}`,
      `chown -R ${notebookUser.uid}:${notebookUser.gid} /opt/venv`,
      aptCleanup,
    ],
  },
  config: {
    User: notebookUser.name,
    Env: ['PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'VIRTUAL_ENV=/opt/venv'],
    WorkingDir: notebookUser.home,
    Cmd: ['python3'],
    Labels: label,
  },
};

export const allRecipes: readonly ImageRecipe[] = [pauseRecipe, builderRecipe, debianRecipe, pythonRecipe];

/**
 * Identifies one build of a recipe: the recipe itself, the inputs it reads (e.g. the Go sources),
 * and the assembly version. The first 12 hex characters name the cached image and its tag.
 */
export function recipeHash(recipe: object, inputs: string[] = []): string {
  const hash = createHash('sha256');
  for (const part of [assemblyVersion, JSON.stringify(recipe), ...inputs]) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 12);
}

/** The references an image is published under: the plain tag and one pinned to its recipe. */
export function taggedRefs(recipe: Pick<ImageRecipe, 'repository' | 'tag'>, hash: string, registry = baseRegistry.address): { plain: string; pinned: string } {
  const repo = `${registry}/${recipe.repository}`;
  return { plain: `${repo}:${recipe.tag}`, pinned: `${repo}:${recipe.tag}-${hash}` };
}
