// Renders the build context: the files a build Pod's context step fetches from the controller.
import { MANAGERS } from '../api/packages.ts';
import { checkedPackages, LIST_FILES, listFileContent } from './package-lists.ts';
import { BUILD_ARGS_FILE, buildArgsFileContent, checkedBuildArgs } from './build-args.ts';
import { REGISTRY_CA_FILE } from './paths.ts';
import { TEMPLATE_NAMES, type Templates } from './templates.ts';
import { buildViewModel, type BuildInput, type RenderSettings } from './view-model.ts';

export type { BuildInput, RenderSettings } from './view-model.ts';

/**
 * File name -> content: Dockerfile, the non-empty package lists (apt.txt, conda.txt,
 * requirements.txt), the build arguments when there are any (build-args.txt), the admin's registry
 * CA bundle when there is one (registry-ca.crt), build.sh, push.sh,
 * registries.conf and policy.json. Throws with the field
 * path when a value cannot be rendered safely (a newline, a leading dash...).
 */
export function renderBuildContext(templates: Templates, input: BuildInput, settings?: RenderSettings): Record<string, string> {
  const lists = checkedPackages(input.packages);
  const view = buildViewModel(input, settings);
  const files: Record<string, string> = { Dockerfile: templates.Dockerfile(view) };
  for (const manager of MANAGERS) {
    if (lists[manager].length > 0) files[LIST_FILES[manager]] = listFileContent(lists[manager]);
  }
  const buildArgs = checkedBuildArgs(input.buildArgs);
  if (buildArgs.length > 0) files[BUILD_ARGS_FILE] = buildArgsFileContent(buildArgs);
  if (settings?.registryCa?.pem) files[REGISTRY_CA_FILE] = settings.registryCa.pem;
  for (const name of TEMPLATE_NAMES) {
    if (name !== 'Dockerfile') files[name] = templates[name](view);
  }
  return files;
}
