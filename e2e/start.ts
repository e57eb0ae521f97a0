// `npm start`: the controller against $KUBECONFIG or the in-cluster config, exactly as
// `node controllers/main.ts` runs it; with neither, on the project's local test cluster (as
// `npm run local`). The fallback lives here so that production code never loads the test harness.
import { enableModuleCompileCache, saveModuleCompileCache } from '../controllers/runtime/compile-cache.ts';

async function start(): Promise<void> {
  // As in controllers/main.ts: the compile cache first, then the controller's modules.
  enableModuleCompileCache();
  const { exitOnError, hasClusterConfig, main } = await import('../controllers/main.ts');
  saveModuleCompileCache();
  const running = hasClusterConfig() ? main() : import('./local.ts').then(({ runLocal }) => runLocal());
  await running.catch(exitOnError);
}

if (import.meta.main) void start();
