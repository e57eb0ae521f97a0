// The benchmark's command line: `npm run bench -- --n 5000 --concurrency 8 ...`.

export interface BenchOptions {
  /** ImageSpecs created at once. */
  n: number;
  /** Requests in flight while creating (the controller's burst and the floor alike). */
  concurrency: number;
  /** Edits of idle ImageSpecs, timed to their new build Pod. */
  edits: number;
  /** Edits and timed Pod status writes per second. */
  rate: number;
  /** Build Pods moved to Running then Succeeded, timed to their ImageSpec's status. */
  statusPods: number;
  /** Further build Pods moved to Running then Failed, timed the same way. */
  failedPods: number;
  /** Idle time watched for writes, before and after the controller's restart. */
  restSeconds: number;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  n: 1000,
  concurrency: 8,
  edits: 200,
  rate: 20,
  statusPods: 200,
  failedPods: 50,
  restSeconds: 60,
};

const FLAGS: Record<string, { key: keyof BenchOptions; min: number }> = {
  '--n': { key: 'n', min: 1 },
  '--concurrency': { key: 'concurrency', min: 1 },
  '--edits': { key: 'edits', min: 0 },
  '--rate': { key: 'rate', min: 1 },
  '--status-pods': { key: 'statusPods', min: 0 },
  '--failed-pods': { key: 'failedPods', min: 0 },
  '--rest-seconds': { key: 'restSeconds', min: 0 },
};

export const USAGE =
  'usage: npm run bench -- [--n 1000] [--concurrency 8] [--edits 200] [--rate 20] [--status-pods 200] [--failed-pods 50] [--rest-seconds 60]';

/** Reads `--flag value` and `--flag=value` pairs over the defaults; throws naming the bad argument. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const options = { ...DEFAULT_OPTIONS };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const equals = arg.indexOf('=');
    const flag = equals > 0 ? arg.slice(0, equals) : arg;
    const spec = FLAGS[flag];
    if (!spec) throw new Error(`unknown argument ${JSON.stringify(arg)}`);
    const text = equals > 0 ? arg.slice(equals + 1) : argv[++i];
    if (text === undefined) throw new Error(`${flag} needs a value`);
    const value = Number(text);
    if (!/^[0-9]+$/.test(text) || value < spec.min) throw new Error(`${flag} must be a whole number of at least ${spec.min}, not ${JSON.stringify(text)}`);
    options[spec.key] = value;
  }
  return options;
}
