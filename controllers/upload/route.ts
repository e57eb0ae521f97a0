// The endpoint's two paths, both about one ImageSpecJob, as Kubernetes-style resource paths so a
// log line or a refusal names the job by its path alone: the build context its build Pod fetches
// (GET .../context) and the image the Pod uploads (PUT .../image).
const SEGMENT = '[a-z0-9]([-a-z0-9.]*[a-z0-9])?';
const JOB_PATH = new RegExp(`^/v1/namespaces/(${SEGMENT})/imagespecjobs/(${SEGMENT})/(image|context)$`);

export interface UploadRoute {
  namespace: string;
  name: string;
}

/** What a path asks for: the job's image (upload) or its build context (fetch). */
export type JobResource = 'image' | 'context';

export interface JobRequestPath extends UploadRoute {
  resource: JobResource;
}

export function jobResourcePath(route: UploadRoute, resource: JobResource): string {
  return `/v1/namespaces/${route.namespace}/imagespecjobs/${route.name}/${resource}`;
}

/** The job and resource a request path names; undefined for any other path. */
export function parseJobPath(path: string): JobRequestPath | undefined {
  const match = JOB_PATH.exec(path);
  return match ? { namespace: match[1]!, name: match[3]!, resource: match[5] as JobResource } : undefined;
}

/**
 * The base URL build Pods are given: the configured one, else loopback and the port, for build
 * Pods on the host network of the controller's node (the local cluster).
 */
export function uploadBaseUrl(configured: string | undefined, port: number): string {
  return configured ?? `http://127.0.0.1:${port}`;
}

/** Where a build Pod sends or fetches `resource` of its job: the base URL (no trailing slash) and the path. */
function jobResourceUrl(baseUrl: string, route: UploadRoute, resource: JobResource): string {
  return `${baseUrl.replace(/\/+$/, '')}${jobResourcePath(route, resource)}`;
}

/** Where a build Pod uploads its job's image. */
export function uploadUrl(baseUrl: string, route: UploadRoute): string {
  return jobResourceUrl(baseUrl, route, 'image');
}

/** Where a build Pod fetches its job's build context. */
export function contextUrl(baseUrl: string, route: UploadRoute): string {
  return jobResourceUrl(baseUrl, route, 'context');
}
