// One HTTP exchange on node:http / node:https: no redirects followed, a request body either in
// memory or streamed with backpressure under an exact Content-Length, an answer body read up to a
// cap, and a deadline on waiting for the other side. What went wrong is kept apart: no answer at
// all (TransportError), the request body's own source failing (its error, as thrown), or an abort
// (the signal's reason).
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface StreamedBody {
  /** Sent as Content-Length; the chunks must add up to exactly this. */
  size: number;
  chunks: AsyncIterable<Uint8Array>;
}

export interface HttpCall {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: Uint8Array | StreamedBody;
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** At most MAX_ANSWER_BYTES; the rest is read and dropped. */
  body: Buffer;
}

/** No HTTP answer came: refused connection, TLS failure, reset, or the deadline passed. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
}

/** Error documents, tokens and manifest answers are small; a larger answer is not kept whole. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** One line for a socket or TLS error; OpenSSL's own are long and spread over several. */
export function conciseTransportMessage(error: Error): string {
  const tls = /SSL routines:[^:]*:([^:\n]+)/.exec(error.message);
  if (tls) return `TLS failed (${tls[1]!.trim()})`;
  return error.message.split('\n')[0]!.trim();
}

/** Wraps an error thrown by the request body's source, so it is told apart from the socket's. */
class SourceFailure {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/** A timer that fails the request when the other side keeps it waiting too long. */
class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private readonly request: ClientRequest;
  private readonly timeoutMs: number;

  constructor(request: ClientRequest, timeoutMs: number) {
    this.request = request;
    this.timeoutMs = timeoutMs;
  }

  arm(waitingFor: string): void {
    this.disarm();
    this.timer = setTimeout(() => {
      this.request.destroy(new TransportError(`no ${waitingFor} within ${Math.round(this.timeoutMs / 1000)} s`));
    }, this.timeoutMs);
  }

  disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Resolves when the request may be written to again, or will never be (answered, closed, failed). */
function writable(request: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const events = ['drain', 'close', 'error', 'response'] as const;
    const done = () => {
      for (const event of events) request.off(event, done);
      resolve();
    };
    for (const event of events) request.on(event, done);
  });
}

export interface HttpSenderOptions {
  /** HTTPS without certificate verification. */
  insecureTls: boolean;
  /** PEM CA certificates trusted besides Node's own (a registry with a private CA). */
  extraCa?: string;
  /** How long the other side may keep a request waiting: for its answer, or to take more body. */
  timeoutMs: number;
}

export class HttpSender {
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgent: HttpsAgent;
  private readonly options: HttpSenderOptions;
  private readonly tlsOptions: { rejectUnauthorized: boolean; ca?: string[] };

  constructor(options: HttpSenderOptions) {
    this.options = options;
    this.tlsOptions = { rejectUnauthorized: !options.insecureTls, ...(options.extraCa ? { ca: [...rootCertificates, options.extraCa] } : {}) };
    this.httpsAgent = new HttpsAgent({ keepAlive: true, ...this.tlsOptions });
  }

  async send(call: HttpCall): Promise<HttpAnswer> {
    call.signal?.throwIfAborted();
    const secure = call.url.protocol === 'https:';
    const streamed = call.body && !(call.body instanceof Uint8Array) ? call.body : undefined;
    const inMemory = call.body instanceof Uint8Array ? call.body : undefined;
    const length = streamed?.size ?? inMemory?.length;
    const request = (secure ? httpsRequest : httpRequest)(call.url, {
      method: call.method,
      headers: { ...call.headers, ...(length === undefined ? {} : { 'Content-Length': String(length) }) },
      agent: secure ? this.httpsAgent : this.httpAgent,
      ...(secure ? this.tlsOptions : {}),
      ...(call.signal ? { signal: call.signal } : {}),
    });
    const deadline = new Deadline(request, this.options.timeoutMs);
    const answer = this.answer(request, deadline, call.signal);
    answer.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
    let ended = false;
    try {
      if (streamed) {
        ended = await this.pump(request, streamed, deadline);
      } else {
        request.end(inMemory);
        ended = true;
      }
      if (ended) deadline.arm('answer');
    } catch (error) {
      deadline.disarm();
      request.destroy();
      if (error instanceof SourceFailure) throw error.error;
      throw error;
    }
    try {
      return await answer;
    } finally {
      deadline.disarm();
      if (!ended) request.destroy(); // answered before the whole body was sent
    }
  }

  /** Writes the body with backpressure; false when it stopped early because the request ended. */
  private async pump(request: ClientRequest, body: StreamedBody, deadline: Deadline): Promise<boolean> {
    let answered = false;
    request.once('response', () => (answered = true));
    const iterator = body.chunks[Symbol.asyncIterator]();
    let sent = 0;
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw new SourceFailure(error);
      }
      if (next.done) break;
      sent += next.value.length;
      if (sent > body.size) throw new SourceFailure(new Error(`The request body is longer than its Content-Length of ${body.size} bytes.`));
      if (answered || request.destroyed) return false;
      if (!request.write(next.value)) {
        deadline.arm('progress sending the request body');
        await writable(request);
        deadline.disarm();
      }
    }
    if (sent !== body.size) throw new SourceFailure(new Error(`The request body ended after ${sent} of its ${body.size} bytes.`));
    if (answered || request.destroyed) return false;
    request.end();
    return true;
  }

  private answer(request: ClientRequest, deadline: Deadline, signal: AbortSignal | undefined): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        deadline.disarm();
        if (signal?.aborted) reject(signal.reason);
        else reject(error instanceof TransportError ? error : new TransportError(conciseTransportMessage(error), { cause: error }));
      };
      request.on('error', fail);
      request.once('response', (response) => {
        const parts: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept >= MAX_ANSWER_BYTES) return;
          const part = chunk.subarray(0, MAX_ANSWER_BYTES - kept);
          parts.push(part);
          kept += part.length;
        });
        response.on('error', fail);
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(parts) }));
      });
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
