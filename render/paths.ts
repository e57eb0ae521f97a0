// Where things live inside the build Pod. The Pod builder mounts volumes at these paths and the
// rendered scripts read them, so both take them from here and can never disagree.

export const BUILD_POD_PATHS = {
  /** The build context (Dockerfile, package lists, scripts): fetched by the context step, read-only for the others. */
  context: '/imagespec/context',
  /** emptyDir shared by the build and push steps. */
  workspace: '/imagespec/workspace',
  /** The built image as an OCI layout, inside the workspace. */
  ociLayout: '/imagespec/workspace/image',
  /**
   * The build context of a Dockerfile build from a claim (spec.build.context.persistentVolumeClaim)
   * or an archive (spec.build.context.url, unpacked by the download step), read-only in the build step.
   */
  source: '/imagespec/source',
  /** buildah's container storage: an emptyDir per build, or the admin's cache (hostPath or PVC) kept between builds. */
  storageRoot: '/var/lib/containers/storage',
  /** The optional pull Secret of the ImageSpec (only in the build step). */
  pullSecretDir: '/imagespec/pull-secret',
  pullAuthfile: '/imagespec/pull-secret/.dockerconfigjson',
  /**
   * The push step's service account token for the controller's upload endpoint (audience
   * imagespec-upload, bound to the Pod), projected only into the context and push steps.
   */
  uploadTokenDir: '/imagespec/upload-token',
  uploadToken: '/imagespec/upload-token/token',
  /**
   * The build step's token for the layer cache (audience imagespec-cache, bound to the Pod), when
   * the admin turned the registry cache on: it opens the namespace's cache and nothing else.
   */
  cacheTokenDir: '/imagespec/cache-token',
  cacheToken: '/imagespec/cache-token/token',
  terminationLog: '/dev/termination-log',
} as const;

/** The key of a kubernetes.io/dockerconfigjson Secret. */
export const DOCKER_CONFIG_JSON_KEY = '.dockerconfigjson';

/** Local name of the built image in the build step's storage (build.sh appends a unique suffix); never pushed. */
export const LOCAL_IMAGE_NAME = 'localhost/imagespec/build:job';

/** The directory of the build context holding the user's own context (spec.build), Dockerfile included. */
export const SOURCE_DIR = 'source';

/** The admin's registry CA bundle in the build context (IMAGESPEC_REGISTRY_CA_FILE). */
export const REGISTRY_CA_FILE = 'registry-ca.crt';
