// I/O: asks the API server who a bearer token belongs to (TokenReview, with the upload audience or
// another of the build endpoint's: the layer cache's).
import type { Clients } from '../runtime/kube.ts';
import { UPLOAD_TOKEN_AUDIENCE } from '../imagespecjob/pod.ts';
import type { TokenIdentity } from './authorize.ts';

const POD_NAME = 'authentication.kubernetes.io/pod-name';
const POD_UID = 'authentication.kubernetes.io/pod-uid';

export async function reviewToken(clients: Clients, token: string, audience = UPLOAD_TOKEN_AUDIENCE): Promise<TokenIdentity> {
  const review = await clients.authentication.createTokenReview({
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences: [audience] } },
  });
  const status = review.status;
  const extra = status?.user?.extra ?? {};
  return {
    authenticated: status?.authenticated === true && !status.error,
    username: status?.user?.username,
    audiences: status?.audiences,
    podName: extra[POD_NAME]?.[0],
    podUid: extra[POD_UID]?.[0],
  };
}
