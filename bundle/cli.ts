// `npm run bundle`: the controller bundled with fixed names, dist/main.js and its chunks, as the
// image runs it (`node dist/main.js`). Always dist/, one level below the root: the bundle finds
// the templates and the compile cache relative to its own place (bundle.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBundle } from './bundle.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.stdout.write(`Bundled ${writeBundle(root)}\n`);
