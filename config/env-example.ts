// Prints .env.example from the variables table: `node config/env-example.ts > .env.example`.
import { VARIABLES } from './variables.ts';

const header = `# imagespec-controller admin configuration.
# Copy to .env (or set the same variables in the controller's environment; the environment wins).
# Lines left commented show the default. PrimeHub's PRIMEHUB_CUSTOM_IMAGE_* names work too.
`;

const sections = VARIABLES.map((variable) => {
  const aliases = variable.aliases?.length ? `\n# Also accepted: ${variable.aliases.join(', ')}` : '';
  const wrapped = variable.description.replace(/(.{1,96})(\s+|$)/g, '# $1\n').trimEnd();
  return `${wrapped}${aliases}\n# ${variable.name}=${variable.default ?? ''}`;
});

process.stdout.write(`${header}\n${sections.join('\n\n')}\n`);
