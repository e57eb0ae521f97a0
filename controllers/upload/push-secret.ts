// The credential of an ImageSpec's own output (spec.output.pushSecret): read by the controller when
// it pushes, from the ImageSpec's namespace only, and used for that push alone. Its values are
// never logged; errors say which Secret and what is wrong with it, never what it holds.
import { credentialsFromDockerConfig } from '../../registry/docker-config.ts';
import type { RegistryCredentials } from '../../registry/client.ts';
import { ignoreNotFound } from '../runtime/errors.ts';
import type { Clients } from '../runtime/kube.ts';

const DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';

/** A push Secret that cannot be used: the push fails at once (424), with this sentence. */
export class PushSecretError extends Error {}

/** No Secret named: an anonymous push. */
export async function tenantCredentials(clients: Clients, namespace: string, name: string | undefined, registry: string): Promise<RegistryCredentials | undefined> {
  if (!name) return undefined;
  const which = `Secret "${name}" (spec.output.pushSecret) in namespace ${namespace}`;
  const secret = await clients.core.readNamespacedSecret({ namespace, name }).catch(ignoreNotFound);
  if (!secret) throw new PushSecretError(`${which} was not found`);
  if (secret.type !== DOCKER_CONFIG_JSON) throw new PushSecretError(`${which} is of type ${secret.type ?? 'Opaque'}, not ${DOCKER_CONFIG_JSON}`);
  const encoded = secret.data?.['.dockerconfigjson'];
  if (!encoded) throw new PushSecretError(`${which} has no .dockerconfigjson`);
  const answer = credentialsFromDockerConfig(Buffer.from(encoded, 'base64').toString('utf8'), registry);
  if (!answer.ok) throw new PushSecretError(`${which} cannot be used: ${answer.error}`);
  return answer.credentials;
}
