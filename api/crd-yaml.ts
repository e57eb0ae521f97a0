// The text of crds/*.yaml, generated from api/crd-schema.ts.
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { crdFiles } from './crd-schema.ts';

/** The directories holding the generated CRDs: the repository's crds/ and the Helm chart's copy. */
export const crdDirs: readonly string[] = ['../crds/', '../charts/imagespec-controller/crds/'].map((dir) =>
  fileURLToPath(new URL(dir, import.meta.url)),
);

const HEADER = '# Generated from api/crd-schema.ts and api/grammar.ts by `npm run generate:crds`. Do not edit.\n';

/** File name in crds/ -> its YAML text. */
export function renderCrdFiles(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(crdFiles()).map(([file, crd]) => [file, HEADER + yaml.dump(crd, { lineWidth: 120, noRefs: true, sortKeys: false })]),
  );
}
