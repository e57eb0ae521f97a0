// Whether the process has a cluster to talk to: $KUBECONFIG, or the in-cluster service account.
// Apart from main.ts so that `npm start` can decide without loading the controller's modules.
import { existsSync } from 'node:fs';

export const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function hasClusterConfig(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.KUBECONFIG) || (Boolean(env.KUBERNETES_SERVICE_HOST) && existsSync(IN_CLUSTER_TOKEN));
}
