// Writes crds/*.yaml and the Helm chart's copies (charts/imagespec-controller/crds/) from
// api/crd-schema.ts. With --check, writes nothing and exits 1 when a file is out of date.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crdDirs, renderCrdFiles } from './crd-yaml.ts';

const check = process.argv.includes('--check');
let stale = 0;
for (const dir of crdDirs) {
  for (const [file, text] of Object.entries(renderCrdFiles())) {
    const path = join(dir, file);
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      // a missing file is stale
    }
    if (current === text) continue;
    if (check) {
      console.error(`${path} is out of date: run npm run generate:crds`);
      stale++;
    } else {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, text);
      console.log(`Wrote ${path}`);
    }
  }
}
process.exitCode = stale > 0 ? 1 : 0;
