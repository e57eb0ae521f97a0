// `npm run bundle [-- --outdir DIR]`: the controller bundled with fixed names (DIR/main.js and its
// chunks; dist/ by default), as the image runs it: `node dist/main.js`.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BUNDLE_DIR, writeBundle } from './bundle.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { outdir: { type: 'string', default: join(root, BUNDLE_DIR) } } });
const entry = writeBundle(root, resolve(values.outdir!));
process.stdout.write(`Bundled ${entry}\n`);
