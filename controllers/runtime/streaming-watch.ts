// A watch that reads the event stream with undici's request() and splits lines itself.
//
// client-node's Watch reads through fetch, converts the Web stream back to a Node stream and
// splits it with readline: three layers of stream machinery per event, which under a burst cost
// about as much CPU as parsing the events' JSON. This keeps its contract (the same URL, the same
// callbacks, the same inactivity timeout, done called once) and drops those layers.
import { STATUS_CODES } from 'node:http';
import { HttpMethod, RequestContext, Watch, type KubeConfig } from '@kubernetes/client-node';
import { sendWithRequest } from './undici-http-library.ts';

type WatchCallback = Parameters<Watch['watch']>[2];
type DoneCallback = Parameters<Watch['watch']>[3];

/** Without a byte for this long the watch is given up (client-node's Watch does the same). */
export const WATCH_INACTIVITY_MS = 30_000;

/** Calls `onLine` for each complete line of a stream of text chunks; partial lines wait for the rest. */
export function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let partial = '';
  return (chunk) => {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end !== -1; end = chunk.indexOf('\n', start)) {
      const line = partial + chunk.slice(start, end);
      partial = '';
      if (line.length > 0) onLine(line);
      start = end + 1;
    }
    partial += chunk.slice(start);
  };
}

function timeoutError(): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}

export class StreamingWatch extends Watch {
  private readonly inactivityMs: number;
  private readonly accept: string | undefined;

  /** `accept`: the Accept header, e.g. to watch only objects' metadata (metadata-only.ts). */
  constructor(config: KubeConfig, inactivityMs = WATCH_INACTIVITY_MS, accept?: string) {
    super(config);
    this.inactivityMs = inactivityMs;
    this.accept = accept;
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: WatchCallback,
    done: DoneCallback,
  ): Promise<AbortController> {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new Error('No currently active cluster');
    const url = new URL(cluster.server + path);
    url.searchParams.set('watch', 'true');
    for (const [key, value] of Object.entries(queryParams ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }

    const controller = new AbortController();
    let timedOut = false;
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    // Restarted on every chunk of every watch: refresh() moves the one timer instead of replacing it.
    const resetTimer = () => {
      if (finished || timedOut) return;
      if (timer) {
        timer.refresh();
        return;
      }
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort(timeoutError());
      }, this.inactivityMs);
      timer.unref();
    };
    const finish = (error: unknown) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      controller.abort();
      done(error && timedOut ? timeoutError() : error);
    };

    const context = new RequestContext(url.toString(), HttpMethod.GET);
    if (this.accept) context.setHeaderParam('Accept', this.accept);
    await this.config.applySecurityAuthentication(context);
    try {
      resetTimer();
      const response = await sendWithRequest(context, controller.signal);
      if (response.statusCode !== 200) {
        await response.body.dump().catch(() => undefined);
        const error = new Error(STATUS_CODES[response.statusCode] ?? 'Internal Server Error') as Error & { statusCode: number };
        error.statusCode = response.statusCode;
        throw error;
      }
      resetTimer();
      const body = response.body;
      body.setEncoding('utf8');
      const split = lineSplitter((line) => {
        try {
          const event = JSON.parse(line) as { type: string; object: object };
          callback(event.type, event.object, event);
        } catch {
          // As client-node's Watch: a line that is not an event is skipped.
        }
      });
      body.on('data', (chunk: string) => {
        resetTimer();
        split(chunk);
      });
      body.on('error', finish);
      body.on('end', () => finish(null));
      body.on('close', () => finish(null));
    } catch (error) {
      finish(error);
    }
    return controller;
  }
}
