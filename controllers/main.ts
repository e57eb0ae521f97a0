// Entry point: `npm start`. Loads and validates the admin config, connects to the cluster
// ($KUBECONFIG or the in-cluster config; with neither, starts the local cluster), runs the
// controllers until SIGTERM/SIGINT.
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { loadConfig } from '../config/load.ts';
import { describeConfig } from '../config/parse.ts';
import type { Config } from '../config/types.ts';
import { createLogger, type Logger } from './runtime/logger.ts';
import { createManager } from './manager.ts';

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function hasClusterConfig(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.KUBECONFIG) || (Boolean(env.KUBERNETES_SERVICE_HOST) && existsSync(IN_CLUSTER_TOKEN));
}

export function configOrExit(): Config {
  const result = loadConfig();
  if (!result.ok) {
    process.stderr.write(`imagespec-controller: invalid configuration${result.envFile ? ` (${result.envFile} and environment)` : ''}:\n`);
    for (const error of result.errors) process.stderr.write(`  ${error}\n`);
    process.exit(2);
  }
  return result.config;
}

/** Runs the controllers against the given cluster until a termination signal. */
export async function runController(kubeConfig: KubeConfig, config: Config, log: Logger): Promise<void> {
  log.info('Loaded configuration', { config: describeConfig(config), cluster: kubeConfig.getCurrentCluster()?.server });
  if (!config.registry) log.warn('No registry is configured: ImageSpecs will report RegistryNotConfigured');
  const manager = createManager(kubeConfig, config, log);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('Received signal, stopping', { signal });
    manager.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await manager.start();
}

async function main(): Promise<void> {
  if (!hasClusterConfig()) {
    // No cluster given: run on the project's own local cluster (see README, "Local cluster").
    const { runLocal } = await import('../e2e/local.ts');
    await runLocal();
    return;
  }
  const config = configOrExit();
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  process.on('unhandledRejection', (reason) => log.error('Unhandled rejection', { error: String(reason) }));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  await runController(kubeConfig, config, log);
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(`imagespec-controller: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  });
}
