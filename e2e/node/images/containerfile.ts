// Reads a Containerfile (Dockerfile syntax) into stages of instructions, enough to check its
// structure in a unit test where no image can be built: continuation lines, comments, exec form,
// LABEL/ENV pairs and ARG defaults.

export interface Instruction {
  /** Upper-cased: FROM, RUN, COPY, ... */
  keyword: string;
  args: string;
}

export interface Stage {
  /** The image the stage starts from. */
  base: string;
  /** `FROM image AS name` */
  name?: string;
  instructions: Instruction[];
}

/** Instructions in file order: comment lines dropped, continuation lines joined. */
export function instructions(text: string): Instruction[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    const continued = line.endsWith('\\');
    pending += `${continued ? line.slice(0, -1) : line} `;
    if (!continued) {
      logical.push(pending.trim());
      pending = '';
    }
  }
  if (pending.trim()) logical.push(pending.trim());
  return logical.filter(Boolean).map((line) => {
    const [keyword = '', ...rest] = line.split(/\s+/);
    return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
  });
}

/** The stages of a Containerfile; instructions before the first FROM (global ARGs) are dropped. */
export function parseContainerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructions(text)) {
    if (instruction.keyword === 'FROM') {
      const [base = '', as, name] = instruction.args.split(/\s+/);
      stages.push({ base, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** The arguments of an exec-form instruction (a JSON array of strings), or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  try {
    const parsed = JSON.parse(args) as unknown;
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `key="value" key2=value2` (LABEL, ENV, ARG) as a map, quotes removed. */
export function keyValues(args: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const match of args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const value = match[2] ?? '';
    pairs.set(match[1] ?? '', value.startsWith('"') ? (JSON.parse(value) as string) : value);
  }
  return pairs;
}

/** All pairs of one instruction kind in a stage, `${NAME}` replaced by the stage's ARG defaults. */
export function stagePairs(stage: Stage, keyword: 'LABEL' | 'ENV' | 'ARG'): Map<string, string> {
  const argDefaults = new Map(stage.instructions.filter((i) => i.keyword === 'ARG').flatMap((i) => [...keyValues(i.args)]));
  const pairs = stage.instructions.filter((i) => i.keyword === keyword).flatMap((i) => [...keyValues(i.args)]);
  return new Map(pairs.map(([key, value]) => [key, value.replace(/\$\{(\w+)\}/g, (whole, name: string) => argDefaults.get(name) ?? whole)]));
}
