// Pure: raw variables -> validated Config, or one error per bad variable, naming it.
import { Ajv } from 'ajv';
import type { Config, ContextSourceKind, RegistryConfig } from './types.ts';
import { VARIABLES, type Variable } from './variables.ts';
import { retiredSettings } from './retired.ts';

export type ParseResult = { ok: true; config: Config } | { ok: false; errors: string[] };

type Raw = Record<string, string | undefined>;

const RANGE_KEY = 'x-range';

function schemaOf(variable: Variable): Record<string, unknown> {
  const { [RANGE_KEY]: _range, ...schema } = variable.schema;
  return schema;
}

const ajv = new Ajv({ allErrors: true, strict: true });
const validateRaw = ajv.compile({
  type: 'object',
  properties: Object.fromEntries(VARIABLES.map((v) => [v.name, schemaOf(v)])),
});

/** The value of a setting: its own name first, then its aliases, then its default. */
export function resolveVariables(source: Raw): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const variable of VARIABLES) {
    const names = [variable.name, ...(variable.aliases ?? [])];
    const found = names.map((name) => source[name]).find((value) => value !== undefined && value !== '');
    const value = found ?? variable.default;
    if (value !== undefined) resolved[variable.name] = value.trim();
  }
  return resolved;
}

function rangeErrors(values: Record<string, string>): string[] {
  const errors: string[] = [];
  for (const variable of VARIABLES) {
    const range = variable.schema[RANGE_KEY] as [number, number] | undefined;
    const value = values[variable.name];
    if (!range || value === undefined || !/^[0-9]+$/.test(value)) continue;
    const number = Number(value);
    if (number < range[0] || number > range[1]) {
      errors.push(`${variable.name}: must be between ${range[0]} and ${range[1]}, got ${value}`);
    }
  }
  return errors;
}

function schemaErrors(values: Record<string, string>): string[] {
  if (validateRaw(values)) return [];
  return (validateRaw.errors ?? []).map((error) => {
    const name = error.instancePath.replace(/^\//, '');
    const detail = error.keyword === 'enum' ? `must be one of ${JSON.stringify(error.params.allowedValues)}` : error.message;
    // Never echo the value: it may be the password.
    return `${name}: ${detail}`;
  });
}

const truthy = (value: string | undefined) => value === 'true' || value === '1' || value === 'yes';
const list = (value: string | undefined) => (value ? value.split(',').map((s) => s.trim()).filter(Boolean) : []);
const optional = (value: string | undefined) => (value ? value : undefined);

function registryFrom(values: Record<string, string>): RegistryConfig | undefined {
  const raw = values.IMAGESPEC_REGISTRY_ENDPOINT;
  if (!raw) return undefined;
  const plainHttp = raw.startsWith('http://');
  const endpoint = raw.replace(/^https?:\/\//, '').replace(/\/$/, '');
  return {
    endpoint,
    username: optional(values.IMAGESPEC_REGISTRY_USERNAME),
    password: optional(values.IMAGESPEC_REGISTRY_PASSWORD),
    repoPrefix: optional(values.IMAGESPEC_REPO_PREFIX) ?? endpoint,
    pushRepo: optional(values.IMAGESPEC_PUSH_REPO),
    imagePath: values.IMAGESPEC_IMAGE_PATH === 'flat' ? 'flat' : 'namespaced',
    insecure: plainHttp || truthy(values.IMAGESPEC_REGISTRY_INSECURE),
  };
}

function consistencyErrors(values: Record<string, string>): string[] {
  const errors: string[] = [];
  const endpoint = values.IMAGESPEC_REGISTRY_ENDPOINT;
  if (!endpoint && (values.IMAGESPEC_REPO_PREFIX || values.IMAGESPEC_PUSH_REPO)) {
    errors.push('IMAGESPEC_REGISTRY_ENDPOINT: required when IMAGESPEC_REPO_PREFIX or IMAGESPEC_PUSH_REPO is set');
  }
  if (values.IMAGESPEC_REGISTRY_PASSWORD && !values.IMAGESPEC_REGISTRY_USERNAME) {
    errors.push('IMAGESPEC_REGISTRY_USERNAME: required when IMAGESPEC_REGISTRY_PASSWORD is set');
  }
  if (truthy(values.IMAGESPEC_BUILD_REGISTRY_CACHE) && (!endpoint || values.IMAGESPEC_PUSH_REPO)) {
    errors.push('IMAGESPEC_BUILD_REGISTRY_CACHE: needs a registry with a repository prefix (IMAGESPEC_REGISTRY_ENDPOINT and IMAGESPEC_REPO_PREFIX, not IMAGESPEC_PUSH_REPO): the cache is <prefix>/<namespace>/build_cache');
  }
  const host = endpoint?.replace(/^https?:\/\//, '').replace(/\/$/, '');
  for (const name of ['IMAGESPEC_REPO_PREFIX', 'IMAGESPEC_PUSH_REPO'] as const) {
    const value = values[name];
    if (host && value && value !== host && !value.startsWith(`${host}/`)) {
      errors.push(`${name}: must start with the registry endpoint "${host}/" (the push credentials are for that registry)`);
    }
  }
  return errors;
}

/** client-go's rule: the leader must give up before others take over, and retry before giving up. */
function leaderElectionErrors(values: Record<string, string>): string[] {
  if (!truthy(values.IMAGESPEC_LEADER_ELECT)) return [];
  const errors: string[] = [];
  const lessThan = (shorter: string, longer: string) => {
    if (!(Number(values[shorter]) < Number(values[longer]))) errors.push(`${shorter}: must be less than ${longer}`);
  };
  lessThan('IMAGESPEC_RENEW_DEADLINE_SECONDS', 'IMAGESPEC_LEASE_DURATION_SECONDS');
  lessThan('IMAGESPEC_RETRY_PERIOD_SECONDS', 'IMAGESPEC_RENEW_DEADLINE_SECONDS');
  return errors;
}

const PROXY_SETTINGS = [
  ['IMAGESPEC_BUILD_HTTP_PROXY', 'HTTP_PROXY'],
  ['IMAGESPEC_BUILD_HTTPS_PROXY', 'HTTPS_PROXY'],
  ['IMAGESPEC_BUILD_NO_PROXY', 'NO_PROXY'],
] as const;

/** Every build step, and so every tenant's RUN steps, can read the proxies: they carry no credential. */
function proxyCredentialErrors(values: Record<string, string>): string[] {
  return PROXY_SETTINGS.filter(([setting]) => /:\/\/[^/]*@/.test(values[setting] ?? '')).map(
    ([setting]) => `${setting}: must not contain a user name or password (scheme://user:password@host): every build step, and so every tenant, could read them; use a proxy that admits the build nodes without credentials in its URL`,
  );
}

function buildEnvFrom(values: Record<string, string>): Config['build']['env'] {
  const defaults = PROXY_SETTINGS.filter(([setting]) => values[setting]).map(([setting, name]) => ({ name, value: values[setting]! }));
  const allowed = values.IMAGESPEC_BUILD_ENV_ALLOWED === 'none' ? [] : list(values.IMAGESPEC_BUILD_ENV_ALLOWED);
  return { defaults, allowed };
}

function buildCacheFrom(value: string | undefined): Pick<Config['build'], 'cache'> {
  if (value?.startsWith('hostPath:')) return { cache: { hostPath: value.slice('hostPath:'.length) } };
  if (value?.startsWith('pvc:')) return { cache: { claimName: value.slice('pvc:'.length) } };
  return {};
}

function nodeSelectorFrom(value: string | undefined): Record<string, string> {
  return Object.fromEntries(list(value).map((pair) => pair.split('=', 2) as [string, string]));
}

export function parseConfig(source: Raw, defaults: { logFormat: 'json' | 'text' }): ParseResult {
  const values = resolveVariables(source);
  const errors = [...schemaErrors(values), ...rangeErrors(values), ...proxyCredentialErrors(values)];
  if (errors.length === 0) errors.push(...consistencyErrors(values), ...leaderElectionErrors(values));
  if (errors.length > 0) return { ok: false, errors };

  const v = values as Record<string, string>;
  const seccomp = v.IMAGESPEC_BUILD_SECCOMP_PROFILE ?? 'Unconfined';
  const [seccompProfile, seccompLocalhostProfile] = seccomp.startsWith('Localhost:')
    ? (['Localhost', seccomp.slice('Localhost:'.length)] as const)
    : ([seccomp as 'Unconfined' | 'RuntimeDefault', undefined] as const);
  const registry = registryFrom(v);
  const config: Config = {
    registry,
    build: {
      buildahImage: v.IMAGESPEC_BUILDAH_IMAGE!,
      pushImage: v.IMAGESPEC_PUSH_IMAGE!,
      imagePullPolicy: v.IMAGESPEC_IMAGE_PULL_POLICY as Config['build']['imagePullPolicy'],
      timeoutSeconds: Number(v.IMAGESPEC_BUILD_TIMEOUT_SECONDS),
      nodeLostSeconds: Number(v.IMAGESPEC_BUILD_NODE_LOST_SECONDS),
      resources: {
        cpuRequest: optional(v.IMAGESPEC_BUILD_CPU_REQUEST),
        cpuLimit: optional(v.IMAGESPEC_BUILD_CPU_LIMIT),
        memoryRequest: optional(v.IMAGESPEC_BUILD_MEMORY_REQUEST),
        memoryLimit: optional(v.IMAGESPEC_BUILD_MEMORY_LIMIT),
        ephemeralStorageRequest: optional(v.IMAGESPEC_BUILD_EPHEMERAL_STORAGE_REQUEST),
        ephemeralStorageLimit: optional(v.IMAGESPEC_BUILD_EPHEMERAL_STORAGE_LIMIT),
      },
      security: {
        privileged: truthy(v.IMAGESPEC_BUILD_PRIVILEGED),
        seccompProfile,
        seccompLocalhostProfile,
        isolation: v.IMAGESPEC_BUILD_ISOLATION as Config['build']['security']['isolation'],
        storageDriver: v.IMAGESPEC_BUILD_STORAGE_DRIVER as Config['build']['security']['storageDriver'],
      },
      ...buildCacheFrom(v.IMAGESPEC_BUILD_CACHE),
      hostNetwork: truthy(v.IMAGESPEC_BUILD_HOST_NETWORK),
      insecureRegistries: [
        ...list(v.IMAGESPEC_INSECURE_REGISTRIES),
        ...(registry?.insecure ? [registry.endpoint] : []),
      ].filter((host, index, all) => all.indexOf(host) === index),
      skipTlsVerifyRegistries: list(v.IMAGESPEC_SKIP_TLS_VERIFY_REGISTRIES),
      env: buildEnvFrom(v),
      contextSources: v.IMAGESPEC_BUILD_CONTEXT_SOURCES === 'none' ? [] : (list(v.IMAGESPEC_BUILD_CONTEXT_SOURCES) as ContextSourceKind[]),
      contextUrlMaxMib: Number(v.IMAGESPEC_BUILD_CONTEXT_URL_MAX_MIB),
      registryCache: truthy(v.IMAGESPEC_BUILD_REGISTRY_CACHE),
      nodeSelector: nodeSelectorFrom(v.IMAGESPEC_BUILD_NODE_SELECTOR),
      serviceAccountName: optional(v.IMAGESPEC_BUILD_SERVICE_ACCOUNT),
    },
    historySucceeded: Number(v.IMAGESPEC_HISTORY_SUCCEEDED),
    historyFailed: Number(v.IMAGESPEC_HISTORY_FAILED),
    namespaces: list(v.IMAGESPEC_NAMESPACES),
    logLevel: v.IMAGESPEC_LOG_LEVEL as Config['logLevel'],
    logFormat: (optional(v.IMAGESPEC_LOG_FORMAT) as Config['logFormat'] | undefined) ?? defaults.logFormat,
    events: v.IMAGESPEC_EVENTS as Config['events'],
    outputAllowed: list(v.IMAGESPEC_OUTPUT_ALLOWED),
    ...(v.IMAGESPEC_REGISTRY_CA_FILE ? { registryCa: { file: v.IMAGESPEC_REGISTRY_CA_FILE } } : {}),
    templatesDir: optional(v.IMAGESPEC_TEMPLATES_DIR),
    resyncSeconds: Number(v.IMAGESPEC_RESYNC_SECONDS),
    workers: Number(v.IMAGESPEC_WORKERS),
    kubeApi: { qps: Number(v.IMAGESPEC_KUBE_API_QPS), burst: Number(v.IMAGESPEC_KUBE_API_BURST) },
    http: { port: Number(v.IMAGESPEC_HTTP_PORT), portFile: optional(v.IMAGESPEC_HTTP_PORT_FILE) },
    upload: { port: Number(v.IMAGESPEC_UPLOAD_PORT), url: optional(v.IMAGESPEC_UPLOAD_URL) },
    leaderElection: {
      enabled: truthy(v.IMAGESPEC_LEADER_ELECT),
      namespace: optional(v.IMAGESPEC_LEADER_ELECTION_NAMESPACE),
      leaseName: v.IMAGESPEC_LEADER_ELECTION_ID!,
      leaseDurationSeconds: Number(v.IMAGESPEC_LEASE_DURATION_SECONDS),
      renewDeadlineSeconds: Number(v.IMAGESPEC_RENEW_DEADLINE_SECONDS),
      retryPeriodSeconds: Number(v.IMAGESPEC_RETRY_PERIOD_SECONDS),
    },
    shutdownTimeoutSeconds: Number(v.IMAGESPEC_SHUTDOWN_TIMEOUT_SECONDS),
    retired: retiredSettings(source),
  };
  return { ok: true, config };
}

/** What may be logged about the config: everything but the password. */
export function describeConfig(config: Config): Record<string, unknown> {
  const registry = config.registry
    ? { ...config.registry, password: config.registry.password ? '(set)' : '(unset)' }
    : '(not configured)';
  // The CA bundle is public, but kilobytes of base64 would drown the line: its size says enough.
  const registryCa = config.registryCa ? { file: config.registryCa.file, pem: `(${config.registryCa.pem?.length ?? 0} characters)` } : undefined;
  return { ...config, registry, ...(registryCa ? { registryCa } : {}) };
}
