// Classifies API errors from @kubernetes/client-node (ApiException: numeric code, string body).

function statusCode(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const code = (error as { code?: unknown }).code ?? (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : undefined;
}

function reason(error: unknown): string | undefined {
  const body = (error as { body?: unknown } | undefined)?.body;
  if (typeof body !== 'string') return (body as { reason?: string } | undefined)?.reason;
  try {
    return (JSON.parse(body) as { reason?: string }).reason;
  } catch {
    return undefined;
  }
}

export const isNotFound = (error: unknown) => statusCode(error) === 404;
export const isAlreadyExists = (error: unknown) => statusCode(error) === 409 && reason(error) === 'AlreadyExists';
export const isConflict = (error: unknown) => statusCode(error) === 409 && reason(error) !== 'AlreadyExists';
/** 429: the API server's priority and fairness (or a webhook) asked us to slow down. */
export const isTooManyRequests = (error: unknown) => statusCode(error) === 429;

/** Longest wait a Retry-After may impose: a misbehaving proxy must not park a key for hours. */
const MAX_RETRY_AFTER_MS = 60_000;

/** A 429's Retry-After (seconds, as the API server sends it) in ms; undefined for other errors. */
export function retryAfterMs(error: unknown): number | undefined {
  if (!isTooManyRequests(error)) return undefined;
  const headers = (error as { headers?: Record<string, string | undefined> }).headers ?? {};
  const value = headers['retry-after'] ?? headers['Retry-After'];
  const seconds = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : undefined;
}

/** 422: the API server refused the object itself; retrying the same request cannot help. */
export const isInvalid = (error: unknown) => statusCode(error) === 422;

/**
 * For `.catch()`, as controller-runtime's IgnoreNotFound: a NotFound answer becomes undefined,
 * any other error is thrown again. `await api.readX(...).catch(ignoreNotFound)`; to know whether
 * the call did anything, `.then(() => true, ignoreNotFound)`.
 */
export function ignoreNotFound(error: unknown): undefined {
  if (isNotFound(error)) return undefined;
  throw error;
}

/** For `.catch()`, as ignoreNotFound: an AlreadyExists answer becomes undefined, any other error is thrown again. */
export function ignoreAlreadyExists(error: unknown): undefined {
  if (isAlreadyExists(error)) return undefined;
  throw error;
}

/** The API server's message for a refused request, for status messages. */
export function apiMessage(error: unknown): string {
  const body = (error as { body?: unknown } | undefined)?.body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  return (body as { message?: string } | undefined)?.message ?? String((error as Error)?.message ?? error);
}
