// `npm start`: the controller against $KUBECONFIG or the in-cluster config, exactly as
// `node controllers/main.ts` runs it; with neither, on the project's local test cluster (as
// `npm run local`). The fallback lives here so that production code never loads the test harness.
import { exitOnError, hasClusterConfig, main } from '../controllers/main.ts';

async function start(): Promise<void> {
  if (hasClusterConfig()) return main();
  const { runLocal } = await import('./local.ts');
  await runLocal();
}

if (import.meta.main) start().catch(exitOnError);
