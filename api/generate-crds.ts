// Writes crds/*.yaml from api/crd-schema.ts. With --check, writes nothing and exits 1 when a file
// is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrdFiles } from './crd-yaml.ts';

const dir = fileURLToPath(new URL('../crds/', import.meta.url));
const check = process.argv.includes('--check');
let stale = 0;
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
    writeFileSync(path, text);
    console.log(`Wrote ${path}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
