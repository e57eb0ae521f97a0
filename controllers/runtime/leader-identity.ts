// Where the leader election Lease lives and who this candidate is; I/O (environment, the service
// account's namespace file, the host name) comes in as arguments so the rules stay testable.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function serviceAccountNamespace(): string | undefined {
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE_FILE, 'utf8');
  } catch {
    return undefined;
  }
}

/** The configured namespace, else POD_NAMESPACE, else the Pod's service account namespace, else "default". */
export function leaseNamespace(
  configured: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  readServiceAccountNamespace: () => string | undefined = serviceAccountNamespace,
): string {
  const candidates = [configured, env.POD_NAMESPACE, readServiceAccountNamespace()];
  return candidates.map((value) => value?.trim()).find((value) => value) ?? 'default';
}

/**
 * POD_NAME (else the host name) plus a random suffix: a restarted process must not mistake the
 * Lease its predecessor held for its own.
 */
export function candidateIdentity(
  env: NodeJS.ProcessEnv = process.env,
  host: string = hostname(),
  suffix: string = randomBytes(4).toString('hex'),
): string {
  return `${env.POD_NAME?.trim() || host}_${suffix}`;
}
