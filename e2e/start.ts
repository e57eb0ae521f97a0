// `npm start`: the controller against $KUBECONFIG or the in-cluster config, bundled from the sources
// as they are now (bundle/bundle.ts, so it needs the development dependencies `npm ci` installs) and
// loaded as the image runs `node dist/main.js`; with neither, on the project's local test cluster
// (as `npm run local`, from the sources). The fallback lives here so that production code never
// loads the test harness.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hasClusterConfig } from '../controllers/cluster-config.ts';
import { enableModuleCompileCache, saveModuleCompileCache } from '../controllers/runtime/compile-cache.ts';

type ControllerEntry = typeof import('../controllers/main.ts');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function start(): Promise<void> {
  if (hasClusterConfig()) {
    const { currentBundle } = await import('../bundle/bundle.ts');
    const bundle = currentBundle(root);
    // As the bundle's own entry does when run directly: the compile cache first, then its chunks.
    enableModuleCompileCache();
    const { exitOnError, main } = (await import(pathToFileURL(bundle).href)) as ControllerEntry;
    saveModuleCompileCache();
    await main().catch(exitOnError);
    return;
  }
  enableModuleCompileCache();
  const { exitOnError } = await import('../controllers/main.ts');
  const { runLocal } = await import('./local.ts');
  saveModuleCompileCache();
  await runLocal().catch(exitOnError);
}

if (import.meta.main) void start();
