// The two CustomResourceDefinitions as data. crds/*.yaml are generated from this module
// (npm run generate:crds; a unit test fails when they drift) and api/validate.ts compiles the same
// openAPIV3Schema, so the API server, the controller and the CLI never disagree.
import {
  GROUP,
  IMAGESPECJOB_KIND,
  IMAGESPECJOB_PLURAL,
  IMAGESPEC_KIND,
  IMAGESPEC_PLURAL,
  VERSION,
} from './types.ts';
import { GRAMMAR_HELP, LIMITS } from './grammar.ts';
import { PHASES } from './phases.ts';
import { exactlyOneRule, fieldRules, type CelRule } from './cel.ts';
import { CONTEXT_SOURCE_KINDS } from './context-sources.ts';
import type { CheckedField } from './field-rules.ts';

export type Schema = { [keyword: string]: unknown };

export const CATEGORY = 'imagespec-all';

/**
 * Root rule: the ImageSpec name is used as a label value, so it must fit one. Reported at
 * metadata.name (a root rule is otherwise reported without a field path).
 */
export const NAME_LENGTH_RULE = {
  rule: `size(self.metadata.name) <= ${LIMITS.imageSpecNameLength}`,
  message: `must be at most ${LIMITS.imageSpecNameLength} characters: the name is used as the value of the imagespec.dev/imagespec label on the objects built from it`,
  fieldPath: '.metadata.name',
} satisfies CelRule;

export const IMMUTABLE_SPEC_RULE = { rule: 'self == oldSelf', message: 'spec is immutable: an ImageSpecJob is one build of one revision; change the ImageSpec instead' };

/** A string checked against its grammar by CEL rules, each refusal with a sentence of its own. */
function patterned(name: CheckedField, maxLength: number, description: string): Schema {
  return { type: 'string', maxLength, 'x-kubernetes-validations': fieldRules(name), description: `${description} Must be ${GRAMMAR_HELP[name]}.` };
}

function text(maxLength: number, description: string): Schema {
  return { type: 'string', maxLength, description };
}

function packageList(manager: 'apt' | 'pip' | 'conda', description: string): Schema {
  const maxLength = manager === 'pip' ? LIMITS.pipRequirementLength : LIMITS.packageLength;
  return {
    type: 'array',
    maxItems: LIMITS.packagesPerManager,
    'x-kubernetes-list-type': 'atomic',
    description: `${description} Order is kept and is part of the revision; surrounding spaces are ignored. At most ${LIMITS.packagesPerManager} entries.`,
    items: patterned(manager, maxLength, `One ${manager} entry (at most ${maxLength} characters).`),
  };
}

function packagesSchema(description: string): Schema {
  return {
    type: 'object',
    description,
    properties: {
      apt: packageList(
        'apt',
        'Debian/Ubuntu packages installed first, with apt-get install --no-install-recommends, from a list file (never a shell command). Needs a base image with apt-get.',
      ),
      conda: packageList(
        'conda',
        'conda packages installed second, with conda install --file. Needs a base image with conda on its PATH (for example a Miniforge or Jupyter image); otherwise the build fails with CondaInstallFailed.',
      ),
      pip: packageList(
        'pip',
        'Python packages installed last, with pip install --no-cache-dir --requirement. Needs a base image with pip. Spaces between the parts of a requirement are reduced to one canonical form (numpy >= 1.26 is numpy>=1.26), so they never change the revision.',
      ),
    },
  };
}

function baseImage(): Schema {
  return patterned(
    'imageReference',
    LIMITS.imageReferenceLength,
    'The image the packages are installed on (required unless build gives a Dockerfile). The built image runs as this image\'s user. Names without a registry mean Docker Hub (python:3.11 is docker.io/library/python:3.11).',
  );
}

/**
 * spec.build must stand instead of baseImage: a Dockerfile names its own base image in FROM. A
 * root-of-spec rule, so the API server and the validator report it once, at spec.
 */
export const BASE_IMAGE_OR_BUILD_RULE = {
  rule: exactlyOneRule(['baseImage', 'build']),
  message: 'must set exactly one of baseImage and build: a build from a Dockerfile takes its base image from the Dockerfile\'s FROM',
} satisfies CelRule;

/** Exactly one context source, reported at spec.build.context. */
export const CONTEXT_SOURCE_RULE = {
  rule: exactlyOneRule(CONTEXT_SOURCE_KINDS),
  message: `must name exactly one source: ${CONTEXT_SOURCE_KINDS.slice(0, -1).join(', ')} or ${CONTEXT_SOURCE_KINDS.at(-1)}`,
} satisfies CelRule;

function claimContextSchema(description: string): Schema {
  return {
    type: 'object',
    required: ['claimName'],
    description,
    properties: {
      claimName: patterned('dnsSubdomain', LIMITS.secretNameLength, 'The claim\'s name.'),
      path: patterned('contextPath', LIMITS.contextPathLength, 'Optional. The context\'s directory inside the volume (T9k contextPath); the volume\'s root when absent.'),
    },
  };
}

function urlContextSchema(description: string): Schema {
  return {
    type: 'object',
    required: ['href', 'sha256'],
    description,
    properties: {
      href: patterned('archiveUrl', LIMITS.archiveUrlLength, 'Where the archive is downloaded from (kaniko-shim SOURCE_GET_URL): a tar.gz, tar or zip file, told apart by its content; redirects are followed. Part of the revision: after correcting a URL that could not be fetched, the ImageSpec builds again.'),
      sha256: patterned('revision', 64, 'The SHA-256 digest of the archive file (sha256sum app.tar.gz): the build uses the archive only if it has this digest, so the same URL always builds the same content.'),
      path: patterned('contextPath', LIMITS.contextPathLength, 'Optional. The context\'s directory inside the archive (for example the top directory of a source release, app-1.2); the archive\'s root when absent.'),
    },
  };
}

function dockerfileBuildSchema(): Schema {
  return {
    type: 'object',
    required: ['context'],
    description:
      'Optional, instead of baseImage. Build your own Dockerfile (T9k ImageBuilder dockerfilePath, kaniko-shim DOCKERFILE_PATH) from a build context; the package lists, when given, are installed on top of its final stage (or of target). Its FROM images are pulled with spec.pullSecret only, like baseImage. The source and the Dockerfile path are part of the revision, and so is the content of a ConfigMap context.',
    properties: {
      context: {
        type: 'object',
        description: 'Where the build context comes from: exactly one source (the admin decides which sources are allowed: IMAGESPEC_BUILD_CONTEXT_SOURCES).',
        'x-kubernetes-validations': [CONTEXT_SOURCE_RULE],
        properties: {
          configMap: {
            type: 'object',
            required: ['name'],
            description:
              'A ConfigMap of the ImageSpec\'s namespace holding the context for small builds: each key is a file at the top of the context (data as text, binaryData as bytes). Its content is part of the revision: editing it builds a new revision.',
            properties: {
              name: patterned('dnsSubdomain', LIMITS.secretNameLength, 'The ConfigMap\'s name.'),
            },
          },
          persistentVolumeClaim: claimContextSchema(
            'A PersistentVolumeClaim of the ImageSpec\'s namespace (T9k workspace.pvc), mounted read-only into the build step. Its content is not visible to the controller and is not part of the revision: change updateTime to rebuild after changing the files. The claim must be mountable by the build Pod (a ReadWriteOnce claim in use puts the build on that Pod\'s node).',
          ),
          url: urlContextSchema(
            'An archive on an http(s) server (kaniko-shim SOURCE_GET_URL), downloaded by a step of the build Pod that holds no credential, from the build Pod\'s network. Its URL, digest and path are part of the revision: to build new content, give the new archive\'s digest. The admin sets the largest archive (IMAGESPEC_BUILD_CONTEXT_URL_MAX_MIB).',
          ),
        },
      },
      dockerfile: patterned('contextPath', LIMITS.contextPathLength, 'Optional. The Dockerfile\'s path inside the context; Dockerfile when absent.'),
      target: patterned('buildTarget', LIMITS.buildTargetLength, 'Optional. The stage of a multi-stage Dockerfile to build (docker build --target); the last stage when absent.'),
    },
  };
}

function pullSecret(description: string): Schema {
  return patterned('optionalDnsSubdomain', LIMITS.secretNameLength, description);
}

function updateTime(): Schema {
  return patterned(
    'optionalDateTime',
    LIMITS.dateTimeLength,
    'Optional. Changing it rebuilds the same content under a new revision (for example to pick up security updates of the base image or of unpinned packages), as in PrimeHub.',
  );
}

interface NamedValues {
  /** What one entry is, and its plural: "build argument", "arguments". */
  one: string;
  many: string;
  maxItems: number;
  name: { pattern: CheckedField; maxLength: number; description: string };
  value: { pattern: CheckedField; maxLength: number };
}

/** A list of name/value pairs keyed by name (build arguments, environment variables). */
function namedValuesSchema(description: string, shape: NamedValues): Schema {
  return {
    type: 'array',
    maxItems: shape.maxItems,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['name'],
    description: `${description} At most ${shape.maxItems} ${shape.many}, each name once.`,
    items: {
      type: 'object',
      description: `One ${shape.one}.`,
      required: ['name', 'value'],
      properties: {
        name: patterned(shape.name.pattern, shape.name.maxLength, `${shape.name.description} (at most ${shape.name.maxLength} characters).`),
        value: patterned(shape.value.pattern, shape.value.maxLength, `Its value (at most ${shape.value.maxLength} characters).`),
      },
    },
  };
}

function buildArgsSchema(description: string): Schema {
  return namedValuesSchema(description, {
    one: 'build argument',
    many: 'arguments',
    maxItems: LIMITS.buildArgs,
    name: { pattern: 'buildArgName', maxLength: LIMITS.buildArgNameLength, description: "The argument's name" },
    value: { pattern: 'buildArgValue', maxLength: LIMITS.buildArgValueLength },
  });
}

function envSchema(description: string): Schema {
  return namedValuesSchema(description, {
    one: 'environment variable',
    many: 'variables',
    maxItems: LIMITS.env,
    name: { pattern: 'envName', maxLength: LIMITS.envNameLength, description: "The variable's name" },
    value: { pattern: 'envValue', maxLength: LIMITS.envValueLength },
  });
}

function conditionsSchema(description: string): Schema {
  return {
    type: 'array',
    maxItems: LIMITS.conditions,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
    description,
    items: {
      type: 'object',
      description: 'A condition in the Kubernetes style: lastTransitionTime moves only when status changes.',
      required: ['type', 'status'],
      properties: {
        type: text(316, 'The condition type.'),
        status: { type: 'string', enum: ['True', 'False', 'Unknown'], description: 'True, False or Unknown.' },
        reason: text(LIMITS.statusShortLength, 'A CamelCase reason for the status (for example Succeeded, InvalidSpec, PipInstallFailed, DeadlineExceeded).'),
        message: text(LIMITS.statusMessageLength, 'A human-readable explanation: the field path for invalid specs, the last lines of the error and the kubectl logs command for failed builds.'),
        lastTransitionTime: { type: 'string', format: 'date-time', description: 'When status last changed.' },
        observedGeneration: { type: 'integer', format: 'int64', minimum: 0, description: 'The metadata.generation the condition was computed from.' },
      },
    },
  };
}

function phase(description: string): Schema {
  return { type: 'string', enum: [...PHASES], description: `${description} One of ${PHASES.join(', ')}.` };
}

const API_VERSION_FIELD: Schema = {
  type: 'string',
  description: `APIVersion defines the versioned schema of this representation of an object: ${GROUP}/${VERSION}.`,
};

function kindField(kind: string): Schema {
  return { type: 'string', description: `Kind is the REST resource this object represents: ${kind}.` };
}

// The API server refuses anything but `type: object` here (metadata is its own, described upstream),
// except a schema for name and generateName at the root.
const METADATA_FIELD: Schema = { type: 'object' };

/** Declares metadata.name (with no constraint of its own) so that a root rule can report there. */
const METADATA_WITH_NAME: Schema = { type: 'object', properties: { name: { type: 'string' } } };

export function imageSpecSchema(): Schema {
  return {
    type: 'object',
    description:
      'ImageSpec declares a container image as a base image plus apt, conda and pip packages. The controller builds it: each distinct content gets a revision (a SHA-256 hash) and an ImageSpecJob that builds and pushes it; status.image is the last image built successfully. Field names match PrimeHub\'s primehub.io/v1alpha1 ImageSpec, so an exported PrimeHub ImageSpec applies after changing only its apiVersion.',
    required: ['spec'],
    'x-kubernetes-validations': [NAME_LENGTH_RULE],
    properties: {
      apiVersion: API_VERSION_FIELD,
      kind: kindField(IMAGESPEC_KIND),
      metadata: METADATA_WITH_NAME,
      spec: {
        type: 'object',
        description: 'What the image contains. Everything here except pullSecret and env defines the revision; metadata never does.',
        'x-kubernetes-validations': [BASE_IMAGE_OR_BUILD_RULE],
        properties: {
          baseImage: baseImage(),
          build: dockerfileBuildSchema(),
          pullSecret: pullSecret(
            'Optional. The name of a kubernetes.io/dockerconfigjson Secret in the same namespace, used only to pull a private base image. It does not change the revision: it grants access, it does not define content.',
          ),
          packages: packagesSchema(
            'The packages to install, per package manager: apt first, then conda, then pip, each in its own layer. Every entry is checked against its manager\'s grammar, and entries reach the build as list files, never as shell text.',
          ),
          updateTime: updateTime(),
          buildArgs: buildArgsSchema(
            'Optional. Build arguments (kaniko BUILD_ARG, sealer and docker --build-arg): each is declared with ARG after FROM, so the install steps see it as an environment variable (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, CONDA_CHANNEL_ALIAS...), and admin templates can use it by name. They reach the build as a list file read into --build-arg arguments, never as shell text. Part of the revision. Not for secrets: they are visible in this object, in the ImageSpecJob and in the image history.',
          ),
          output: {
            type: 'object',
            required: ['image'],
            description:
              'Optional. Push the image here instead of the admin\'s registry (T9k ImageBuilder spec.tag and spec.dockerConfig.secret, kaniko-shim OUTPUT_IMAGE and DOCKER_CONFIG_JSON), where the admin allows it (IMAGESPEC_OUTPUT_ALLOWED; elsewhere the ImageSpec fails with OutputNotAllowed). The image is part of the revision, its credential is not.',
            properties: {
              image: patterned('outputImage', LIMITS.imageReferenceLength, 'The repository, and optionally the tag, to push to; the tag defaults to the revision\'s first 12 characters. With a tag of your own every revision overwrites it, and the registry is not asked whether it already has a revision (AlreadyBuilt).'),
              pushSecret: pullSecret(
                'Optional. A kubernetes.io/dockerconfigjson Secret in the same namespace holding the credential for the output registry (an auths entry with auth, or username and password). Only the controller reads it, when it pushes: no build Pod mounts it. Without it the push is anonymous.',
              ),
            },
          },
          env: envSchema(
            'Optional. The build step\'s environment (T9k ImageBuilder spec.env), for the names the admin allows (IMAGESPEC_BUILD_ENV_ALLOWED; by default HTTP_PROXY, HTTPS_PROXY and NO_PROXY). A proxy reaches the base image pull and, in both letter cases, the apt, conda and pip steps; it is never written into the image\'s configuration or history. Each value overrides the admin\'s default of the same name. Not part of the revision: changing it does not rebuild (change updateTime to rebuild with it). Not for secrets: values are visible in this object, the ImageSpecJob and the build Pod, and a value with user:password@ is refused.',
          ),
        },
      },
      status: {
        type: 'object',
        description: 'Written by the controller.',
        properties: {
          phase: phase('The phase of the current revision\'s build.'),
          conditions: conditionsSchema('Ready: True when the current revision\'s image is built; False with a reason (InvalidSpec, PullSecretNotFound, RegistryNotConfigured, a build failure); Unknown while it builds.'),
          observedGeneration: { type: 'integer', format: 'int64', minimum: 0, description: 'The metadata.generation this status describes.' },
          revision: { type: 'string', maxLength: 64, pattern: '^(?:[0-9a-f]{64})?$', description: 'The full SHA-256 revision of the current spec. Its first 12 characters appear in the ImageSpecJob name, its labels and the image tag.' },
          jobName: text(LIMITS.secretNameLength, 'The ImageSpecJob building (or having built) the current revision.'),
          image: text(LIMITS.statusShortLength, 'The last image built successfully. It is kept while a newer revision builds or after it fails.'),
          digest: text(LIMITS.statusShortLength, 'The digest of the manifest pushed for image (sha256:...). Pin image@digest for reproducible deployments.'),
          message: text(LIMITS.statusMessageLength, 'A human-readable summary of the current state (same as the Ready condition\'s message).'),
        },
      },
    },
  };
}

export function imageSpecJobSchema(): Schema {
  return {
    type: 'object',
    description:
      'ImageSpecJob is one build of one revision of an ImageSpec, created by the controller. Its spec is a complete, immutable snapshot of the build inputs; its status follows the build Pod.',
    required: ['spec'],
    properties: {
      apiVersion: API_VERSION_FIELD,
      kind: kindField(IMAGESPECJOB_KIND),
      metadata: METADATA_FIELD,
      spec: {
        type: 'object',
        description: 'The build inputs, copied from the ImageSpec and the admin configuration when the job was created. Immutable.',
        required: ['imageSpecName', 'revision', 'packages', 'targetImage'],
        'x-kubernetes-validations': [IMMUTABLE_SPEC_RULE],
        properties: {
          imageSpecName: patterned('dnsSubdomain', LIMITS.imageSpecNameLength, 'The ImageSpec this job builds.'),
          revision: patterned('revision', 64, 'The revision built: the SHA-256 hash of what defines the image (the ImageSpec\'s status.revision).'),
          baseImage: baseImage(),
          build: {
            type: 'object',
            required: ['context', 'dockerfile'],
            description: 'The Dockerfile build, when the ImageSpec has one (then there is no baseImage).',
            properties: {
              context: {
                type: 'object',
                description: 'The context source, as it was when the job was created.',
                properties: {
                  persistentVolumeClaim: claimContextSchema('A PersistentVolumeClaim of the job\'s namespace.'),
                  url: urlContextSchema('An archive downloaded by the build Pod and used only with this digest.'),
                  configMap: {
                    type: 'object',
                    required: ['name', 'sha256'],
                    description: 'A ConfigMap of the job\'s namespace.',
                    properties: {
                      name: patterned('dnsSubdomain', LIMITS.secretNameLength, 'The ConfigMap\'s name.'),
                      sha256: patterned('revision', 64, 'The SHA-256 digest of the ConfigMap\'s content this job builds; a ConfigMap changed since is a newer revision\'s context.'),
                    },
                  },
                },
              },
              dockerfile: patterned('contextPath', LIMITS.contextPathLength, 'The Dockerfile\'s path inside the context.'),
              target: patterned('buildTarget', LIMITS.buildTargetLength, 'The stage built, when not the last.'),
            },
          },
          pullSecret: pullSecret('Optional. The dockerconfigjson Secret (same namespace) used only to pull the base image.'),
          packages: packagesSchema('The packages installed, with surrounding spaces removed and pip requirements in their canonical spacing.'),
          updateTime: updateTime(),
          buildArgs: buildArgsSchema('The build arguments, as in the ImageSpec.'),
          env: envSchema('The build step\'s environment, as in the ImageSpec when the job was created.'),
          targetImage: patterned('imageReference', LIMITS.imageReferenceLength, 'The reference the controller pushes the built image to: <repoPrefix>/<namespace>/<imagespec>:<revision12> (<repoPrefix>/<imagespec>:<revision12> with the flat image path), or <pushRepo>:<namespace>_<imagespec>-<revision12> in single-repository mode. The controller derives it again from its configuration and builds nothing when it differs.'),
          repoPrefix: patterned('repoPrefix', LIMITS.imageReferenceLength, 'The repository prefix the target image was derived from (absent in single-repository mode).'),
        },
      },
      status: {
        type: 'object',
        description: 'Written by the controller from the build Pod.',
        properties: {
          phase: phase('The phase of the build.'),
          conditions: conditionsSchema('Succeeded: Unknown while the build runs; True when the image is pushed (reason Succeeded) or the registry already had it (reason AlreadyBuilt); False with the failure reason (for example AptInstallFailed, PushFailed, DeadlineExceeded, Superseded).'),
          podName: text(LIMITS.secretNameLength, 'The build Pod (none when the registry already had the image).'),
          startTime: { type: 'string', format: 'date-time', description: 'When the build Pod started.' },
          completionTime: { type: 'string', format: 'date-time', description: 'When the build finished, failed or was cancelled.' },
          image: text(LIMITS.statusShortLength, 'The image pushed (set on success).'),
          digest: text(LIMITS.statusShortLength, 'The digest of the pushed manifest (sha256:...).'),
          reason: text(LIMITS.statusShortLength, 'Why the build failed or was cancelled (for example BaseImagePullFailed, PipInstallFailed, OOMKilled, Superseded), or AlreadyBuilt: the registry already had this revision\'s image and nothing was built.'),
          message: text(LIMITS.statusMessageLength, 'Details: the last lines of the error and the kubectl logs command, or the revision that superseded this one.'),
        },
      },
    },
  };
}

type PrinterColumn = { name: string; type: string; jsonPath: string; description: string; priority?: number };

function crd(kind: string, plural: string, shortName: string, schema: Schema, columns: PrinterColumn[]): Schema {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}`, labels: { 'app.kubernetes.io/part-of': 'imagespec-controller' } },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames: [shortName], categories: [CATEGORY] },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: columns,
          schema: { openAPIV3Schema: schema },
        },
      ],
    },
  };
}

const READY = '.status.conditions[?(@.type=="Ready")]';
const SUCCEEDED = '.status.conditions[?(@.type=="Succeeded")]';

export function imageSpecCrd(): Schema {
  return crd(IMAGESPEC_KIND, IMAGESPEC_PLURAL, 'ims', imageSpecSchema(), [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Phase of the current revision\'s build.' },
    { name: 'Job', type: 'string', jsonPath: '.status.jobName', description: 'ImageSpecJob of the current revision (<name>-<revision12>).' },
    { name: 'Image', type: 'string', jsonPath: '.status.image', description: 'Last image built successfully.' },
    { name: 'Reason', type: 'string', jsonPath: `${READY}.reason`, description: 'Reason of the Ready condition.' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation.' },
    { name: 'Revision', type: 'string', jsonPath: '.status.revision', description: 'Full revision hash of the current spec.', priority: 1 },
    { name: 'Digest', type: 'string', jsonPath: '.status.digest', description: 'Digest of the last image built.', priority: 1 },
    { name: 'Message', type: 'string', jsonPath: `${READY}.message`, description: 'Message of the Ready condition.', priority: 1 },
  ]);
}

export function imageSpecJobCrd(): Schema {
  return crd(IMAGESPECJOB_KIND, IMAGESPECJOB_PLURAL, 'imsj', imageSpecJobSchema(), [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Phase of the build.' },
    { name: 'Revision', type: 'string', jsonPath: '.metadata.labels.imagespec\\.dev/revision', description: 'Revision built (first 12 characters).' },
    { name: 'Target', type: 'string', jsonPath: '.spec.targetImage', description: 'Image the build pushes to.' },
    { name: 'Reason', type: 'string', jsonPath: '.status.reason', description: 'Why the build failed or was cancelled.' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation.' },
    { name: 'Digest', type: 'string', jsonPath: '.status.digest', description: 'Digest of the pushed image.', priority: 1 },
    { name: 'Pod', type: 'string', jsonPath: '.status.podName', description: 'Build Pod.', priority: 1 },
    { name: 'Message', type: 'string', jsonPath: `${SUCCEEDED}.message`, description: 'Message of the Succeeded condition.', priority: 1 },
  ]);
}

/** File name in crds/ -> CRD object. */
export function crdFiles(): Record<string, Schema> {
  return {
    [`${GROUP}_${IMAGESPEC_PLURAL}.yaml`]: imageSpecCrd(),
    [`${GROUP}_${IMAGESPECJOB_PLURAL}.yaml`]: imageSpecJobCrd(),
  };
}
