// Bounded polling for the suites that run against the local cluster: a test waits on a condition,
// never on a fixed sleep, and a wait that times out says what it waited for.
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` every `everyMs` until it returns a value (anything but undefined or false) and
 * resolves with it; an error thrown by the probe counts as "not yet" and is quoted on timeout.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError === undefined ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}${cause}`);
    }
    await sleep(everyMs);
  }
}
