// Loads and compiles the templates once, at start-up. Only the built-in directory and the admin's
// override directory are ever compiled; nothing that arrives in a custom resource is a template.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { sampleViewModels, type ViewModel } from './view-model.ts';

/** Each template renders the build context file of the same name (`Dockerfile.hbs` -> `Dockerfile`). */
export const TEMPLATE_NAMES = ['Dockerfile', 'build.sh', 'push.sh', 'registries.conf', 'policy.json'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export type Template = (view: ViewModel) => string;
export type Templates = Readonly<Record<TemplateName, Template>> & {
  /** Where each template came from, for the start-up log. */
  readonly sources: Readonly<Record<TemplateName, string>>;
};

export const BUILT_IN_TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

function compile(handlebars: typeof Handlebars, path: string): Template {
  const source = readFileSync(path, 'utf8');
  // noEscape: HTML escaping would turn `==` into `&#x3D;&#x3D;`. strict: a misspelt field fails
  // instead of rendering as nothing. knownHelpersOnly: templates cannot call unexpected helpers.
  const template = handlebars.compile<ViewModel>(source, { noEscape: true, strict: true, knownHelpersOnly: true });
  try {
    // Handlebars compiles lazily: render once now so that a broken template stops start-up.
    for (const sample of sampleViewModels()) template(sample);
  } catch (error) {
    throw new Error(`Template ${path}: ${(error as Error).message}`);
  }
  return template;
}

/**
 * The built-in templates, each replaced by `<name>.hbs` from overrideDir when that file exists
 * (config.templatesDir). Throws, naming the file, when a template does not compile.
 */
export function loadTemplates(overrideDir?: string): Templates {
  if (overrideDir !== undefined && overrideDir !== '' && !(existsSync(overrideDir) && statSync(overrideDir).isDirectory())) {
    throw new Error(`Templates directory ${overrideDir} does not exist or is not a directory`);
  }
  const handlebars = Handlebars.create();
  const templates = {} as Record<TemplateName, Template>;
  const sources = {} as Record<TemplateName, string>;
  for (const name of TEMPLATE_NAMES) {
    const override = overrideDir ? join(overrideDir, `${name}.hbs`) : undefined;
    const path = override && existsSync(override) ? override : join(BUILT_IN_TEMPLATES_DIR, `${name}.hbs`);
    templates[name] = compile(handlebars, path);
    sources[name] = path;
  }
  return { ...templates, sources };
}
