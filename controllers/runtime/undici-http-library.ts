// The HTTP transport of the generated API clients: undici's request() on the pooled dispatcher.
//
// client-node sends every call through WHATWG fetch. Under a burst, fetch's own machinery (Web
// streams, Request/Response objects, header guards) cost more CPU than the calls' JSON: undici's
// request() is the same connection pool without that layer. The API classes, their parameters,
// (de)serialisation and errors (ApiException) stay client-node's.
import { Readable } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import { ResponseContext, type PromiseHttpLibrary, type RequestContext } from '@kubernetes/client-node';
import { getGlobalDispatcher, type Dispatcher } from 'undici';

/** Header values as the generated code reads them: one string per name, lower-case names. */
export function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/**
 * Sends a prepared request (URL, method, headers, body, and the dispatcher that
 * applySecurityAuthentication chose) with undici's request(); `signal` overrides the request's own.
 */
export function sendWithRequest(request: RequestContext, signal?: AbortSignal): Promise<Dispatcher.ResponseData> {
  const url = new URL(request.getUrl());
  const dispatcher = (request.getDispatcher() as Dispatcher | undefined) ?? getGlobalDispatcher();
  const body = request.getBody() as string | Buffer | undefined;
  return dispatcher.request({
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: request.getHttpMethod() as Dispatcher.HttpMethod,
    headers: request.getHeaders(),
    body: body ?? null,
    signal: signal ?? request.getSignal() ?? null,
  });
}

export class UndiciHttpLibrary implements PromiseHttpLibrary {
  async send(request: RequestContext): Promise<ResponseContext> {
    const response = await sendWithRequest(request);
    return new ResponseContext(response.statusCode, flatHeaders(response.headers), {
      text: () => response.body.text(),
      binary: async () => Buffer.from(await response.body.arrayBuffer()),
      stream: () => Readable.toWeb(response.body) as never,
    });
  }
}
