// Command line parsing for `imagespec`.

export const USAGE = `Usage:
  imagespec validate FILE                         check an ImageSpec; one line per problem on stderr
  imagespec hash FILE                             print its revision (SHA-256)
  imagespec render FILE [--out DIR] [--templates DIR]
                                                  print the Dockerfile, or write the whole build
                                                  context (Dockerfile, package lists, scripts) to DIR
FILE is a YAML file, or - for stdin. --templates DIR overrides templates as the controller's
IMAGESPEC_TEMPLATES_DIR does. Exit status: 0 success, 1 invalid ImageSpec or failure, 2 usage.`;

export const COMMANDS = ['validate', 'hash', 'render'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliArgs {
  command: Command;
  file: string;
  out?: string;
  templates?: string;
}

export type ParsedArgs = { ok: true; args: CliArgs } | { ok: true; help: true } | { ok: false; error: string };

const OPTIONS: Record<string, { key: 'out' | 'templates'; commands: readonly Command[] }> = {
  '--out': { key: 'out', commands: ['render'] },
  '--templates': { key: 'templates', commands: ['render'] },
};

export function parseArgs(argv: readonly string[]): ParsedArgs {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') return { ok: true, help: true };
  const [command, ...rest] = argv;
  if (!(COMMANDS as readonly string[]).includes(command!)) return { ok: false, error: `unknown command ${JSON.stringify(command)}` };
  const args: Partial<CliArgs> & { command: Command } = { command: command as Command };
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!;
    const [flag, inline] = token.startsWith('--') && token.includes('=') ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)] : [token, undefined];
    const option = OPTIONS[flag];
    if (option) {
      if (!option.commands.includes(args.command)) return { ok: false, error: `${flag} is not an option of ${args.command}` };
      const value = inline ?? rest[++i];
      if (value === undefined || value === '') return { ok: false, error: `${flag} needs a value` };
      args[option.key] = value;
    } else if (token.startsWith('-') && token !== '-') {
      return { ok: false, error: `unknown option ${token}` };
    } else {
      positional.push(token);
    }
  }
  if (positional.length !== 1) return { ok: false, error: `${args.command} takes exactly one FILE (or - for stdin)` };
  return { ok: true, args: { ...args, file: positional[0]! } };
}
