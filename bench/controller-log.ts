// What the benchmark reads from the controller's JSON log.

const SERVING = 'Serving health and metrics';

/** The health and metrics port the controller logged when it bound it (it binds any free port). */
export function httpPortFromLog(log: string): number | undefined {
  for (const line of log.split('\n')) {
    if (!line.includes(SERVING)) continue;
    try {
      const entry = JSON.parse(line) as { message?: unknown; port?: unknown };
      if (entry.message === SERVING && typeof entry.port === 'number') return entry.port;
    } catch {
      // a line cut short while being written: read again on the next poll
    }
  }
  return undefined;
}
