// The `imagespec` command: validate, hash and render an ImageSpec with exactly the code the
// controller uses (api/validate.ts, api/revision.ts, render/).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeRevision, DEFAULT_DOCKERFILE, shortRevision } from '../api/revision.ts';
import { normalizePackages, validateImageSpec, type FieldError } from '../api/validate.ts';
import type { DockerfileBuild, ImageSpec } from '../api/types.ts';
import { renderBuildContext } from '../render/context.ts';
import { loadTemplates } from '../render/templates.ts';
import { parseArgs, USAGE, type CliArgs } from './args.ts';
import { MANIFEST_LIMITS, parseManifest } from './manifest.ts';
import { readFileBounded } from './bounded-read.ts';

export interface CliIo {
  readStdin(): Promise<string>;
  stdout(line: string): void;
  stderr(line: string): void;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

function formatError(error: FieldError): string {
  return `${error.path === '' ? '(document)' : error.path}: ${error.message}`;
}

async function readSource(file: string, io: CliIo): Promise<{ text: string; source: string }> {
  if (file === '-') return { text: await io.readStdin(), source: '<stdin>' };
  return { text: readFileBounded(file, MANIFEST_LIMITS.bytes), source: file };
}

/** The validated ImageSpec, or the exit status after reporting why there is none. */
async function load(args: CliArgs, io: CliIo): Promise<ImageSpec | number> {
  let input: { text: string; source: string };
  try {
    input = await readSource(args.file, io);
  } catch (error) {
    io.stderr(`${args.file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    return EXIT_FAILURE;
  }
  const parsed = parseManifest(input.text, input.source);
  if (!parsed.ok) {
    io.stderr(parsed.error);
    return EXIT_FAILURE;
  }
  const result = validateImageSpec(parsed.document);
  if (!result.ok) {
    for (const error of result.errors) io.stderr(formatError(error));
    return EXIT_FAILURE;
  }
  return result.imageSpec;
}

function writeContext(dir: string, files: Record<string, string>, io: CliIo): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    writeFileSync(path, content);
    // The build Pod mounts the context read-only and runs the scripts with /bin/sh; executable
    // here so a user can also run them directly.
    if (name.endsWith('.sh')) chmodSync(path, 0o755);
    io.stdout(path);
  }
}

/** spec.build as the build Pod's scripts take it: the Dockerfile's path and stage, and where the files are. */
function renderedBuild(build: DockerfileBuild) {
  const target = build.target?.trim();
  return { dockerfile: build.dockerfile?.trim() || DEFAULT_DOCKERFILE, ...(target ? { target } : {}), context: build.context };
}

async function run(args: CliArgs, io: CliIo): Promise<number> {
  const imageSpec = await load(args, io);
  if (typeof imageSpec === 'number') return imageSpec;
  const { baseImage, build, packages, buildArgs } = imageSpec.spec;
  const configMap = build?.context.configMap;
  if (configMap) {
    // The revision and the build take the ConfigMap's content, which only the cluster holds. A
    // claim's or an archive's revision is the spec's alone (its name and path, or its digest).
    const source = `ConfigMap ${configMap.name}`;
    if (args.command === 'validate') {
      io.stdout(`ImageSpec ${imageSpec.metadata.name ?? ''} is valid (its revision depends on the content of ${source}, read in the cluster)`);
      return EXIT_OK;
    }
    io.stderr(`imagespec ${args.command}: spec.build builds from ${source}, whose content only the cluster holds; this command works for specs with baseImage, a claim or an archive URL`);
    return EXIT_FAILURE;
  }
  const revision = computeRevision(imageSpec.spec);
  switch (args.command) {
    case 'validate':
      io.stdout(`ImageSpec ${imageSpec.metadata.name ?? ''} is valid (revision ${shortRevision(revision)})`);
      return EXIT_OK;
    case 'hash':
      io.stdout(revision);
      return EXIT_OK;
    case 'render': {
      const templates = loadTemplates(args.templates);
      const image = build ? { build: renderedBuild(build) } : { baseImage: (baseImage ?? '').trim() };
      const files = renderBuildContext(templates, { ...image, packages: normalizePackages(packages), ...(buildArgs ? { buildArgs } : {}) });
      if (args.out === undefined) io.stdout(files.Dockerfile!.replace(/\n$/, ''));
      else writeContext(args.out, files, io);
      return EXIT_OK;
    }
  }
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    io.stderr(`imagespec: ${parsed.error}`);
    io.stderr(USAGE);
    return EXIT_USAGE;
  }
  if ('help' in parsed) {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  try {
    return await run(parsed.args, io);
  } catch (error) {
    io.stderr(`imagespec ${parsed.args.command}: ${(error as Error).message}`);
    return EXIT_FAILURE;
  }
}
