// What a build Pod's context step does, done by a test: mint a token bound to the build Pod (as
// the kubelet projects it) and fetch the job's build context from the controller's endpoint.
import type { V1Pod } from '@kubernetes/client-node';
import { readTar } from '../../registry/tar-stream.ts';
import { waitFor } from '../wait.ts';
import type { ControllerProcess, Kube } from './harness.ts';

/** The port the controller serves build Pods on, from its "Serving image uploads" log line. */
export function uploadPortOf(controller: ControllerProcess): Promise<number> {
  return waitFor('the upload port in the controller log', async () => {
    const line = controller.logs().split('\n').find((l) => l.includes('"Serving image uploads"'));
    return line ? (JSON.parse(line) as { port: number }).port : undefined;
  });
}

/** A token of the namespace's default ServiceAccount for the endpoint (or the layer cache's audience), bound to `pod`. */
export async function podBoundToken(kube: Kube, pod: V1Pod, audience = 'imagespec-upload'): Promise<string> {
  const response = await kube.core.createNamespacedServiceAccountToken({
    name: 'default',
    namespace: pod.metadata!.namespace!,
    body: {
      spec: {
        audiences: [audience],
        expirationSeconds: 600,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name!, uid: pod.metadata!.uid! },
      },
    },
  });
  return response.status!.token!;
}

export interface ContextAnswer {
  status: number;
  /** The archive's files (name -> text) when the answer is 200, else the answer's text under "". */
  files: Record<string, string>;
}

/** GET .../context with `token`; a 200's tar is read back into its files. */
export async function fetchBuildContext(port: number, namespace: string, job: string, token?: string): Promise<ContextAnswer> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/namespaces/${namespace}/imagespecjobs/${job}/context`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  const body = new Uint8Array(await response.arrayBuffer());
  if (response.status !== 200) return { status: response.status, files: { '': Buffer.from(body).toString('utf8') } };
  const files: Record<string, string> = {};
  for await (const entry of readTar((async function* () { yield body; })())) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of entry.body) chunks.push(chunk);
    files[entry.name] = Buffer.concat(chunks).toString('utf8');
  }
  return { status: 200, files };
}
