// Build arguments become a list file in the build context, one NAME=value per line, which build.sh
// reads into `--build-arg` arguments; the Dockerfile declares each name with ARG. Validation
// upstream refuses hostile names and values with the field path; the checks here are a second line
// of defence, so that a value that slipped through can still never become a second line, and a
// name never anything but an identifier in the Dockerfile.
import { PATTERNS } from '../api/grammar.ts';
import { sortedBuildArgs, type BuildArg } from '../api/types.ts';

export const BUILD_ARGS_FILE = 'build-args.txt';

const NAME = new RegExp(PATTERNS.buildArgName, 'u');
const VALUE = new RegExp(PATTERNS.buildArgValue, 'u');
// The Unicode line and paragraph separators: not control characters, but some tools end lines there.
const LINE_SEPARATOR = /[\u2028\u2029]/u;
const RESERVED = /^imagespec_/i;

/** The checked arguments, sorted by name (their order means nothing; sorted, the file is stable). */
export function checkedBuildArgs(args: readonly BuildArg[] | undefined): BuildArg[] {
  if (args === undefined) return [];
  if (!Array.isArray(args)) throw new Error('spec.buildArgs: must be a list');
  const seen = new Set<string>();
  const checked = args.map(({ name, value }, index) => {
    const field = `spec.buildArgs[${index}]`;
    if (typeof name !== 'string' || !NAME.test(name) || RESERVED.test(name)) throw new Error(`${field}.name: ${JSON.stringify(name)} is not a build argument name this build can pass`);
    if (seen.has(name)) throw new Error(`${field}.name: ${JSON.stringify(name)} is given twice`);
    seen.add(name);
    if (typeof value !== 'string' || !VALUE.test(value) || LINE_SEPARATOR.test(value)) throw new Error(`${field}.value: must be one line of text`);
    return { name, value };
  });
  return sortedBuildArgs(checked);
}

/** One NAME=value per line, newline-terminated. */
export function buildArgsFileContent(args: readonly BuildArg[]): string {
  return args.map(({ name, value }) => `${name}=${value}\n`).join('');
}
