// Every admin setting, in one table: name, PrimeHub alias, default, JSON schema, description.
// The ajv schema, the defaults and the documentation test of .env.example all derive from it.

export interface Variable {
  name: string;
  /** Older names accepted for the same setting (PrimeHub's .env). */
  aliases?: string[];
  default?: string;
  /** JSON schema for the raw string value. */
  schema: Record<string, unknown>;
  description: string;
}

const quantity = { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?)?$' };
const bool = { type: 'string', enum: ['true', 'false', '1', '0', 'yes', 'no', ''] };
const int = (min: number, max: number) => ({ type: 'string', pattern: '^[0-9]+$', 'x-range': [min, max] });
const hostPort = '[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?(:[0-9]{1,5})?';
const repoPath = '[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*';
const imageRef = '^[a-zA-Z0-9][a-zA-Z0-9._:/@-]*$';
// A user:password@ part passes the pattern so that its own check can say why it is refused.
const proxyUrl = '^((https?|socks5h?)://[^\\s/]+/?)?$';

export const VARIABLES: Variable[] = [
  {
    name: 'IMAGESPEC_REGISTRY_ENDPOINT',
    aliases: ['PRIMEHUB_CUSTOM_IMAGE_REGISTRY_ENDPOINT'],
    schema: { type: 'string', pattern: `^((https?)://)?${hostPort}/?$` },
    description:
      'Registry that built images are pushed to, as host[:port] (an http:// prefix marks it insecure, https:// is stripped). Unset: ImageSpecs report RegistryNotConfigured.',
  },
  {
    name: 'IMAGESPEC_REGISTRY_USERNAME',
    aliases: ['PRIMEHUB_CUSTOM_IMAGE_REGISTRY_USERNAME'],
    schema: { type: 'string', maxLength: 256 },
    description: 'User for pushing to the registry (leave empty for a registry without auth).',
  },
  {
    name: 'IMAGESPEC_REGISTRY_PASSWORD',
    aliases: ['PRIMEHUB_CUSTOM_IMAGE_REGISTRY_PASSWORD'],
    schema: { type: 'string', maxLength: 4096 },
    description: 'Password or token for pushing. Only the controller uses it: it pushes every image itself, so no build Pod and no tenant namespace ever holds it. Never logged.',
  },
  {
    name: 'IMAGESPEC_REPO_PREFIX',
    aliases: ['PRIMEHUB_CUSTOM_IMAGE_REPO_PREFIX'],
    schema: { type: 'string', pattern: `^(${hostPort}(/${repoPath})?)?$` },
    description:
      'Images are pushed to <prefix>/<namespace>/<imagespec name>:<revision> (<prefix>/<imagespec name>:<revision> with IMAGESPEC_IMAGE_PATH=flat). Default: the registry endpoint itself.',
  },
  {
    name: 'IMAGESPEC_PUSH_REPO',
    schema: { type: 'string', pattern: `^(${hostPort}/${repoPath})?$` },
    description:
      'Single-repository mode, for registries where each repository must be created first (ECR, Docker Hub): images are pushed to <repo>:<namespace>_<imagespec name>-<revision> (<repo>:<imagespec name>-<revision> with IMAGESPEC_IMAGE_PATH=flat; a tag longer than 128 characters is shortened with a hash). Overrides IMAGESPEC_REPO_PREFIX.',
  },
  {
    name: 'IMAGESPEC_OUTPUT_ALLOWED',
    default: '',
    schema: { type: 'string', pattern: `^(${hostPort}(/${repoPath})?(,${hostPort}(/${repoPath})?)*)?$` },
    description:
      'Where an ImageSpec may push its image itself (spec.output, with its own spec.output.pushSecret; T9k spec.tag, kaniko-shim OUTPUT_IMAGE): a comma-separated list of registries (host[:port]) or repository prefixes (host[:port]/path). Empty: nowhere, spec.output fails with OutputNotAllowed. The admin\'s credential is never used for these pushes, and the registry lists and CA bundle below apply to them too.',
  },
  {
    name: 'IMAGESPEC_IMAGE_PATH',
    default: 'namespaced',
    schema: { type: 'string', enum: ['namespaced', 'flat'] },
    description:
      'namespaced: the namespace is part of every image path, so each namespace pushes only to its own repositories. flat: PrimeHub\'s path without the namespace, for single-tenant clusters only: two namespaces with an ImageSpec of the same name push to the same repository and overwrite each other\'s images.',
  },
  {
    name: 'IMAGESPEC_REGISTRY_INSECURE',
    default: 'false',
    schema: bool,
    description: 'Reach the push registry over plain HTTP (or without TLS verification).',
  },
  {
    name: 'IMAGESPEC_INSECURE_REGISTRIES',
    default: '',
    schema: { type: 'string', pattern: `^(${hostPort}(,${hostPort})*)?$` },
    description:
      'Comma-separated host[:port] list of registries reached over plain HTTP, or over HTTPS without verifying the certificate (kaniko-shim INSECURE_REGISTRIES): base image pulls, and the push registry\'s pushes and lookups.',
  },
  {
    name: 'IMAGESPEC_SKIP_TLS_VERIFY_REGISTRIES',
    default: '',
    schema: { type: 'string', pattern: `^(${hostPort}(,${hostPort})*)?$` },
    description:
      'Comma-separated host[:port] list of registries reached over HTTPS without verifying the certificate, never over plain HTTP (kaniko-shim SKIP_TLS_VERIFY_REGISTRIES). The controller\'s pushes and lookups keep to HTTPS; buildah\'s pulls cannot (containers/image falls back to plain HTTP whenever verification is off), so for base images the two lists mean the same.',
  },
  {
    name: 'IMAGESPEC_REGISTRY_CA_FILE',
    default: '',
    schema: { type: 'string', maxLength: 4096 },
    description:
      'A PEM file of CA certificates trusted besides the system\'s, for registries with a private CA: the controller\'s pushes and lookups, and the base image pulls (the bundle travels in each build Pod\'s context; certificates are public). At most 32 KiB. The chart mounts it from a ConfigMap (registryCA).',
  },
  {
    name: 'IMAGESPEC_BUILDAH_IMAGE',
    default: 'quay.io/buildah/stable:v1.28.2',
    schema: { type: 'string', pattern: imageRef, maxLength: 512 },
    description: 'Image of the build step (needs buildah and sh).',
  },
  {
    name: 'IMAGESPEC_PUSH_IMAGE',
    default: 'quay.io/skopeo/stable:v1.9.3',
    schema: { type: 'string', pattern: imageRef, maxLength: 512 },
    description: 'Image of the upload step, which streams the built image to the controller (needs sh, tar and curl; holds no credential).',
  },
  {
    name: 'IMAGESPEC_IMAGE_PULL_POLICY',
    default: 'IfNotPresent',
    schema: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'] },
    description: 'Pull policy of the builder images.',
  },
  {
    name: 'IMAGESPEC_BUILD_TIMEOUT_SECONDS',
    default: '1800',
    schema: int(10, 86400),
    description: 'Deadline of one build (the Pod\'s activeDeadlineSeconds); a build past it fails with DeadlineExceeded. A build Pod no node takes fails the same way this long after its creation, and is deleted.',
  },
  {
    name: 'IMAGESPEC_BUILD_NODE_LOST_SECONDS',
    default: '120',
    schema: int(0, 86400),
    description:
      'A build whose node has not been Ready this long (its kubelet stopped reporting, or reports NotReady) ends NodeLost and its Pod is deleted. Kubernetes itself evicts such Pods only after 300 s, and never while no node of the cluster is Ready (a single-node cluster). 0: leave it to Kubernetes.',
  },
  { name: 'IMAGESPEC_BUILD_CPU_REQUEST', default: '500m', schema: quantity, description: 'CPU request of the build step.' },
  { name: 'IMAGESPEC_BUILD_CPU_LIMIT', default: '', schema: quantity, description: 'CPU limit of the build step (empty: none).' },
  { name: 'IMAGESPEC_BUILD_MEMORY_REQUEST', default: '512Mi', schema: quantity, description: 'Memory request of the build step.' },
  { name: 'IMAGESPEC_BUILD_MEMORY_LIMIT', default: '4Gi', schema: quantity, description: 'Memory limit of the build step; past it the build fails with OOMKilled.' },
  {
    name: 'IMAGESPEC_BUILD_EPHEMERAL_STORAGE_REQUEST',
    default: '2Gi',
    schema: quantity,
    description: 'Ephemeral storage request of the build step (image layers live in an emptyDir).',
  },
  { name: 'IMAGESPEC_BUILD_EPHEMERAL_STORAGE_LIMIT', default: '20Gi', schema: quantity, description: 'Ephemeral storage limit of the build step.' },
  {
    name: 'IMAGESPEC_BUILD_PRIVILEGED',
    default: 'false',
    schema: bool,
    description: 'Run the build step privileged. Not needed with chroot isolation; only for clusters that demand it.',
  },
  {
    name: 'IMAGESPEC_BUILD_SECCOMP_PROFILE',
    default: 'Unconfined',
    schema: { type: 'string', pattern: '^(Unconfined|RuntimeDefault|Localhost:[a-zA-Z0-9._/-]+)$' },
    description:
      'Seccomp profile of the build step: Unconfined (buildah needs unshare, which RuntimeDefault refuses), RuntimeDefault, or Localhost:<path under the kubelet\'s seccomp directory>; Localhost:imagespec-build.json is the project\'s profile (seccomp/imagespec-build.json, to install on the build nodes).',
  },
  {
    name: 'IMAGESPEC_BUILD_ISOLATION',
    default: 'chroot',
    schema: { type: 'string', enum: ['chroot', 'oci', 'rootless'] },
    description: 'buildah --isolation for RUN steps.',
  },
  {
    name: 'IMAGESPEC_BUILD_STORAGE_DRIVER',
    default: 'vfs',
    schema: { type: 'string', enum: ['vfs', 'overlay'] },
    description: 'buildah --storage-driver.',
  },
  {
    name: 'IMAGESPEC_BUILD_CACHE',
    default: '',
    schema: { type: 'string', pattern: '^(|hostPath:/[A-Za-z0-9._/-]+|pvc:[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$' },
    description:
      'Where buildah keeps images and layers between builds, so an unchanged base and apt layer are reused: hostPath:/dir (a directory on each build node, one subdirectory per namespace) or pvc:<claim> (a ReadWriteMany claim in each namespace with builds). Base images are still pulled with each build\'s own credentials. Empty: nothing is kept, every build starts cold. Grows with use; prune it with `buildah rmi --prune` on the node.',
  },
  {
    name: 'IMAGESPEC_BUILD_REGISTRY_CACHE',
    default: 'false',
    schema: bool,
    description:
      'A layer cache in the registry, shared by the builds of a namespace on every node (kaniko-shim CACHE_REPO): each install step\'s layer is pushed as a cache image to <IMAGESPEC_REPO_PREFIX>/<namespace>/build_cache and later builds pull it instead of running the step again. The build step reaches that repository only through the controller\'s build endpoint, with a token bound to its Pod that opens its own namespace\'s cache and nothing else; it never holds a registry credential. Needs IMAGESPEC_REPO_PREFIX. Grows with use: expire old tags with the registry\'s own tools.',
  },
  {
    name: 'IMAGESPEC_BUILD_HOST_NETWORK',
    default: 'false',
    schema: bool,
    description: 'Run build Pods on the node\'s network (for clusters without a CNI, like the local test cluster).',
  },
  {
    name: 'IMAGESPEC_BUILD_HTTP_PROXY',
    default: '',
    schema: { type: 'string', pattern: proxyUrl, maxLength: 1024 },
    description:
      'Proxy for the build step\'s plain-HTTP traffic (T9k ImageBuilder spec.env HTTP_PROXY), as scheme://host:port: the base image pull and, as HTTP_PROXY and http_proxy, the apt, conda and pip steps. Never written into a built image. Not for credentials: every build step can read it, so a URL with user:password@ is refused.',
  },
  {
    name: 'IMAGESPEC_BUILD_HTTPS_PROXY',
    default: '',
    schema: { type: 'string', pattern: proxyUrl, maxLength: 1024 },
    description: 'Proxy for the build step\'s HTTPS traffic (HTTPS_PROXY and https_proxy), like IMAGESPEC_BUILD_HTTP_PROXY.',
  },
  {
    name: 'IMAGESPEC_BUILD_NO_PROXY',
    default: '',
    schema: { type: 'string', pattern: '^[A-Za-z0-9.*:/,\\[\\]_-]*$', maxLength: 1024 },
    description: 'Hosts, domains (.example.com) and CIDRs the build step reaches without the proxy (NO_PROXY and no_proxy), comma-separated.',
  },
  {
    name: 'IMAGESPEC_BUILD_ENV_ALLOWED',
    default: 'HTTP_PROXY,HTTPS_PROXY,NO_PROXY',
    schema: { type: 'string', pattern: '^(none|[A-Za-z_][A-Za-z0-9_]*(,[A-Za-z_][A-Za-z0-9_]*)*)$' },
    description:
      'The variables tenants may set in an ImageSpec\'s spec.env for its build step (T9k ImageBuilder spec.env), comma-separated; none: no variable. A tenant\'s value overrides the default above of the same name. Every name listed is the tenant\'s to set in a container that runs buildah: list only variables that change how the build reaches the network.',
  },
  {
    name: 'IMAGESPEC_BUILD_CONTEXT_SOURCES',
    default: 'configMap,persistentVolumeClaim,url',
    schema: { type: 'string', pattern: '^(none|(configMap|persistentVolumeClaim|url)(,(configMap|persistentVolumeClaim|url))*)$' },
    description:
      'The build context sources tenants may build their own Dockerfile from (spec.build.context), comma-separated; none: no Dockerfile builds. configMap: a ConfigMap of the ImageSpec\'s namespace, read by the controller (which can read every ConfigMap: the build endpoint serves only the one the ImageSpec names, in its own namespace). persistentVolumeClaim: a claim of the ImageSpec\'s namespace, mounted read-only into the build step (the controller only checks that it exists). url: an archive the build Pod downloads, from the build Pod\'s network (the host\'s with IMAGESPEC_BUILD_HOST_NETWORK), in a step without any credential; the controller never contacts the URL. An ImageSpec using another source fails with ContextSourceNotAllowed.',
  },
  {
    name: 'IMAGESPEC_BUILD_CONTEXT_URL_MAX_MIB',
    default: '256',
    schema: int(1, 16384),
    description:
      'The largest context archive (spec.build.context.url) in MiB, both as downloaded and once unpacked: the download stops there, and an archive that would unpack to more is refused before it is unpacked (ArchiveTooLarge). The archive (in the download step\'s writable layer until it is unpacked) and its files (an emptyDir) take up to twice this of the node\'s disk.',
  },
  {
    name: 'IMAGESPEC_BUILD_NODE_SELECTOR',
    default: '',
    schema: { type: 'string', pattern: '^([a-zA-Z0-9./-]+=[a-zA-Z0-9._-]*(,[a-zA-Z0-9./-]+=[a-zA-Z0-9._-]*)*)?$' },
    description: 'Node selector of build Pods, as k=v,k2=v2.',
  },
  {
    name: 'IMAGESPEC_BUILD_SERVICE_ACCOUNT',
    default: '',
    schema: { type: 'string', pattern: `^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$` },
    description: 'ServiceAccount of build Pods (empty: the namespace default; its token is never mounted).',
  },
  {
    name: 'IMAGESPEC_HISTORY_SUCCEEDED',
    default: '5',
    schema: int(0, 1000),
    description: 'Succeeded ImageSpecJobs kept per ImageSpec besides the current one.',
  },
  {
    name: 'IMAGESPEC_HISTORY_FAILED',
    default: '5',
    schema: int(0, 1000),
    description: 'Failed and cancelled ImageSpecJobs kept per ImageSpec besides the current one.',
  },
  {
    name: 'IMAGESPEC_NAMESPACES',
    default: '',
    schema: { type: 'string', pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(,[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$' },
    description: 'Comma-separated namespaces to watch; empty watches all.',
  },
  {
    name: 'IMAGESPEC_LOG_LEVEL',
    default: 'info',
    schema: { type: 'string', enum: ['error', 'warn', 'info', 'debug'] },
    description: 'Log level.',
  },
  {
    name: 'IMAGESPEC_LOG_FORMAT',
    default: '',
    schema: { type: 'string', enum: ['', 'json', 'text'] },
    description: 'Log format; empty: JSON inside a cluster, readable text elsewhere.',
  },
  {
    name: 'IMAGESPEC_TEMPLATES_DIR',
    default: '',
    schema: { type: 'string', maxLength: 4096 },
    description: 'Directory whose *.hbs files replace the built-in templates of the same name.',
  },
  {
    name: 'IMAGESPEC_EVENTS',
    default: 'warnings',
    schema: { type: 'string', enum: ['warnings', 'all', 'none'] },
    description:
      'Which Kubernetes Events the controller records about ImageSpecs and ImageSpecJobs. warnings: failures and refusals only (what status alone may not bring to a user\'s attention); all: also a Normal Event for every status transition (revision created, Pod created, building, succeeded, cancelled), about 6 more API writes per build; none: no Events.',
  },
  {
    name: 'IMAGESPEC_RESYNC_SECONDS',
    default: '600',
    schema: int(10, 86400),
    description: 'Every so often all objects are reconciled again, as a safety net for missed events.',
  },
  {
    name: 'IMAGESPEC_KUBE_API_QPS',
    default: '200',
    schema: int(0, 100000),
    description:
      'Client-side limit of the controller\'s requests to the Kubernetes API, per second on average (as client-go\'s QPS); 0: no limit. A 429 from the API server is retried after its Retry-After either way.',
  },
  {
    name: 'IMAGESPEC_KUBE_API_BURST',
    default: '400',
    schema: int(1, 100000),
    description: 'Requests that may go at once above IMAGESPEC_KUBE_API_QPS after a quiet moment (as client-go\'s burst).',
  },
  {
    name: 'IMAGESPEC_WORKERS',
    default: '4',
    schema: int(1, 64),
    description: 'Concurrent reconciles per controller.',
  },
  {
    name: 'IMAGESPEC_HTTP_PORT',
    default: '8080',
    schema: int(0, 65535),
    description:
      'Port of /healthz (liveness: no reconcile stuck), /readyz (caches synced) and /metrics (Prometheus text). 0 binds any free port (see IMAGESPEC_HTTP_PORT_FILE).',
  },
  {
    name: 'IMAGESPEC_UPLOAD_PORT',
    default: '8081',
    schema: int(0, 65535),
    description:
      'Port on which build Pods upload the image they built; the controller checks the Pod\'s own service account token and pushes the image to the registry itself. Shared by replicas on one node (SO_REUSEPORT). 0 binds any free port.',
  },
  {
    name: 'IMAGESPEC_UPLOAD_URL',
    default: '',
    schema: { type: 'string', pattern: '^(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?)?$', maxLength: 512 },
    description:
      'Base URL (scheme, host, port) at which build Pods reach the upload port, e.g. http://imagespec-controller-upload.imagespec-system.svc:8081 (the Helm chart sets it to its Service). Empty: http://127.0.0.1:<upload port>, for build Pods on the host network of the controller\'s node (the local cluster).',
  },
  {
    name: 'IMAGESPEC_HTTP_PORT_FILE',
    default: '',
    schema: { type: 'string', pattern: '^(/.+)?$', maxLength: 4096 },
    description:
      'Absolute path of a file the controller writes the port it bound into, for exec probes (`node controllers/probe.ts /readyz`) when the port is only known at start (hostNetwork Pods with port 0). Empty: no file.',
  },
  {
    name: 'IMAGESPEC_LEADER_ELECT',
    default: 'false',
    schema: bool,
    description:
      'Elect one active replica through a coordination.k8s.io Lease, so several replicas can run: only the leader reconciles, the others keep their caches warm and take over when it stops (the Helm chart sets true).',
  },
  {
    name: 'IMAGESPEC_LEADER_ELECTION_NAMESPACE',
    default: '',
    schema: { type: 'string', pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$', maxLength: 63 },
    description:
      'Namespace of the leader election Lease. Empty: the POD_NAMESPACE environment variable, else the namespace of the Pod\'s service account, else default.',
  },
  {
    name: 'IMAGESPEC_LEADER_ELECTION_ID',
    default: 'imagespec-controller',
    schema: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 },
    description: 'Name of the leader election Lease: replicas sharing its name and namespace elect one leader.',
  },
  {
    name: 'IMAGESPEC_LEASE_DURATION_SECONDS',
    default: '15',
    schema: int(2, 3600),
    description:
      'How long the other replicas wait, from when they last saw the Lease change, before taking it over from a leader that stopped renewing it.',
  },
  {
    name: 'IMAGESPEC_RENEW_DEADLINE_SECONDS',
    default: '10',
    schema: int(1, 3600),
    description:
      'A leader that could not renew the Lease for this long stops leading and exits, before another replica may take over. Must be less than the lease duration.',
  },
  {
    name: 'IMAGESPEC_RETRY_PERIOD_SECONDS',
    default: '2',
    schema: int(1, 3600),
    description: 'How often the leader renews the Lease and the other replicas try to take it. Must be less than the renew deadline.',
  },
  {
    name: 'IMAGESPEC_SHUTDOWN_TIMEOUT_SECONDS',
    default: '25',
    schema: int(0, 3600),
    description:
      'On SIGTERM the controller stops taking work and waits up to this long for running reconciles to finish, then releases the Lease and exits. Keep it below the Pod\'s terminationGracePeriodSeconds.',
  },
];
