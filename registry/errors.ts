// The two ways a push of an uploaded OCI layout fails: the upload itself is wrong (the caller's
// fault: HTTP 400) or the registry refused or could not be reached. Messages are shown to users,
// so they are sentences naming the image, and never carry a password, an Authorization header or
// a token (see redact()).

/** The uploaded tar is not a valid OCI image layout; the caller should answer HTTP 400. */
export class LayoutError extends Error {
  override readonly name = 'LayoutError';
}

export interface RegistryErrorDetails {
  /** The registry's HTTP status; undefined when no HTTP answer came (connection refused, TLS, timeout). */
  status: number | undefined;
  /** The first error code from the registry's JSON `errors` body, e.g. UNAUTHORIZED or DIGEST_INVALID. */
  code?: string;
  /** The registry's own message for that error, as it sent it (secrets redacted). */
  registryMessage?: string;
}

/** The registry (or its token service) refused a request, failed, or did not answer. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly registryMessage: string | undefined;

  constructor(message: string, details: RegistryErrorDetails, options?: ErrorOptions) {
    super(message, options);
    this.status = details.status;
    this.code = details.code;
    this.registryMessage = details.registryMessage;
  }
}

/**
 * `text` with every occurrence of a secret replaced. Registries echo parts of a request in their
 * errors now and then; whatever they send is passed through this before it reaches a message.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret) result = result.split(secret).join('[redacted]');
  }
  return result;
}

export interface ErrorBody {
  code?: string;
  message?: string;
}

/**
 * The first entry of a registry's `{"errors": [{"code", "message", "detail"}]}` answer, or
 * nothing when the body is not one (HEAD answers have no body; proxies answer in HTML).
 */
export function parseErrorBody(body: Uint8Array): ErrorBody {
  try {
    const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as { errors?: unknown };
    const first: unknown = Array.isArray(parsed.errors) ? parsed.errors[0] : undefined;
    if (!first || typeof first !== 'object') return {};
    const { code, message } = first as { code?: unknown; message?: unknown };
    return { ...(typeof code === 'string' && code ? { code } : {}), ...(typeof message === 'string' && message ? { message } : {}) };
  } catch {
    return {};
  }
}
