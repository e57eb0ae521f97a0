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
