// The V8 settings the controller runs with, in one place: the image's environment (NODE_OPTIONS),
// `npm start` and the harness that starts it for the tests and the benchmark all use these.
//
// The young generation is where nearly every allocation of a reconcile lives and dies (watch
// events parsed, requests and responses, statuses computed). V8 grows its semi-spaces to 16 MiB
// or more under load and keeps them; at 2 MiB a scavenge comes more often but stays cheap, and the
// process's resident memory settles about 100 MB lower. Measured with `npm run bench -- --n 1000`:
// settled RSS 298 -> 202 MB, peak 334 -> 281 MB, CPU per revision 6.97 -> 7.28 ms (within noise).
//
// `--expose-gc` lets the controller run one memory-reducing collection when it goes quiet after
// work (idle-compaction.ts): V8 alone keeps the pages a burst grew into.
export const CONTROLLER_NODE_FLAGS = ['--max-semi-space-size=2', '--expose-gc'] as const;

/** The flags as NODE_OPTIONS holds them. */
export const controllerNodeOptions = (): string => CONTROLLER_NODE_FLAGS.join(' ');
