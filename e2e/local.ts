// `npm run local` (and `npm start` with no cluster configured): brings up the project's own
// local cluster, installs the CRDs, and runs the controller against it.
// `npm run local -- --demo` also applies examples/imagespec.yaml and follows it to the end.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import type { ImageSpec } from '../api/types.ts';
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../controllers/runtime/logger.ts';
import { PooledKubeConfig } from '../controllers/runtime/pooled-kubeconfig.ts';
import { runController } from '../controllers/main.ts';
import { clusterUp } from './cluster/cluster.ts';
import { repoRoot, stateDir } from './cluster/paths.ts';
import { installCrds } from './crds.ts';
import { imageSpecs } from './custom-objects.ts';
import { nodeHooks } from './node/hooks.ts';

const say = (line: string) => process.stderr.write(`[local] ${line}\n`);

/** Admin settings the local node writes for its loopback registries. */
export const localControllerEnv = join(stateDir, 'controller.env');

async function followDemo(kubeConfig: KubeConfig): Promise<void> {
  const file = join(repoRoot, 'examples', 'imagespec.yaml');
  const manifest = yaml.load(readFileSync(file, 'utf8')) as ImageSpec & KubernetesObject;
  const api = imageSpecs(kubeConfig.makeApiClient(CustomObjectsApi));
  const namespace = 'default';
  const name = manifest.metadata.name!;
  await api.delete(namespace, name).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 1000));
  await api.create(namespace, manifest);
  say(`Applied ${file}; following ImageSpec ${name} (Ctrl-C to stop)`);
  let last = '';
  for (;;) {
    const spec = await api.get(namespace, name);
    const ready = spec.status?.conditions?.find((c) => c.type === 'Ready');
    const line = `phase=${spec.status?.phase ?? '-'} reason=${ready?.reason ?? '-'} job=${spec.status?.jobName ?? '-'}`;
    if (line !== last) say(line);
    last = line;
    if (spec.status?.phase === 'Succeeded' || spec.status?.phase === 'Failed') {
      say(`Result: ${spec.status.phase}${spec.status.image ? ` image=${spec.status.image} digest=${spec.status.digest}` : ''}`);
      if (spec.status.message) say(`Message: ${spec.status.message}`);
      say(`Build log: npm run kubectl -- logs -n ${namespace} ${spec.status.jobName}-build -c build`);
      return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export async function runLocal(argv: string[] = process.argv.slice(2)): Promise<void> {
  const demo = argv.includes('--demo');
  say('Starting the local cluster (the first run compiles Kubernetes from source: expect several minutes)');
  const { kubeconfig } = await clusterUp({ log: say, node: nodeHooks });
  const kubeConfig = new PooledKubeConfig();
  kubeConfig.loadFromFile(kubeconfig);
  say('Installing the CRDs');
  await installCrds(kubeConfig);

  const env = { ...process.env };
  if (!env.IMAGESPEC_ENV_FILE && !existsSync(join(process.cwd(), '.env')) && existsSync(localControllerEnv)) {
    env.IMAGESPEC_ENV_FILE = localControllerEnv;
    say(`Using the local registry settings in ${localControllerEnv}`);
  }
  const result = loadConfig(env);
  if (!result.ok) {
    for (const error of result.errors) say(`invalid configuration: ${error}`);
    process.exit(2);
  }
  const log = createLogger({ level: result.config.logLevel, format: result.config.logFormat });
  await runController(kubeConfig, result.config, log);
  say(`Controller running. In another terminal:`);
  say(`  export KUBECONFIG=${kubeconfig}`);
  say(`  npm run kubectl -- apply -f examples/imagespec.yaml`);
  say(`  npm run kubectl -- get imagespecs,imagespecjobs,pods -w`);
  if (demo) {
    await followDemo(kubeConfig);
    process.kill(process.pid, 'SIGTERM');
  }
}

if (import.meta.main) {
  runLocal().catch((error: unknown) => {
    say(`failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  });
}
