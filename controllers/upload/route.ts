// The upload endpoint's one path: the ImageSpecJob whose image is uploaded, as a Kubernetes-style
// resource path, so a log line or a refusal names the job by its path alone.
const SEGMENT = '[a-z0-9]([-a-z0-9.]*[a-z0-9])?';
const UPLOAD_PATH = new RegExp(`^/v1/namespaces/(${SEGMENT})/imagespecjobs/(${SEGMENT})/image$`);

export interface UploadRoute {
  namespace: string;
  name: string;
}

export function uploadPath(route: UploadRoute): string {
  return `/v1/namespaces/${route.namespace}/imagespecjobs/${route.name}/image`;
}

/** The job a request path names; undefined for any other path. */
export function parseUploadPath(path: string): UploadRoute | undefined {
  const match = UPLOAD_PATH.exec(path);
  return match ? { namespace: match[1]!, name: match[3]! } : undefined;
}

/**
 * The base URL build Pods are given: the configured one, else loopback and the port, for build
 * Pods on the host network of the controller's node (the local cluster).
 */
export function uploadBaseUrl(configured: string | undefined, port: number): string {
  return configured ?? `http://127.0.0.1:${port}`;
}

/** Where a build Pod uploads its job's image: the configured base URL (no trailing slash) and the path. */
export function uploadUrl(baseUrl: string, route: UploadRoute): string {
  return `${baseUrl.replace(/\/+$/, '')}${uploadPath(route)}`;
}
