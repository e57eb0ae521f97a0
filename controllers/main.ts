// Entry point: the container runs it bundled (`node dist/main.js`, bundle/bundle.ts). Loads and validates the admin
// config, connects to the cluster given by $KUBECONFIG or the in-cluster config, runs the
// controllers until SIGTERM/SIGINT, then shuts down gracefully. (`npm start` goes through
// e2e/start.ts, which falls back to the local test cluster when neither is given.)
import type { KubeConfig } from '@kubernetes/client-node';
import type { Config } from '../config/types.ts';
import type { HttpServer } from './runtime/http-server.ts';
import type { Logger } from './runtime/logger.ts';
import type { UploadServer } from './upload/server.ts';
import type { Manager, ManagerOptions } from './manager.ts';
import { enableModuleCompileCache, saveModuleCompileCache } from './runtime/compile-cache.ts';
import { hasClusterConfig, IN_CLUSTER_TOKEN } from './cluster-config.ts';

// Imported once the compile cache is on: static imports would all be compiled before it is.
if (import.meta.main) enableModuleCompileCache();
const { loadConfig } = await import('../config/load.ts');
const { describeConfig } = await import('../config/parse.ts');
const { startHttpServer } = await import('./runtime/http-server.ts');
const { describeError } = await import('./runtime/informer.ts');
const { createLogger } = await import('./runtime/logger.ts');
const { makeClients } = await import('./runtime/kube.ts');
const { Metrics } = await import('./runtime/metrics.ts');
const { PooledKubeConfig } = await import('./runtime/pooled-kubeconfig.ts');
const { startUploadServer } = await import('./upload/server.ts');
const { loadTemplates } = await import('../render/templates.ts');
const { createManager } = await import('./manager.ts');
if (import.meta.main) saveModuleCompileCache();

export function configOrExit(): Config {
  const result = loadConfig();
  if (!result.ok) {
    process.stderr.write(`imagespec-controller: invalid configuration${result.envFile ? ` (${result.envFile} and environment)` : ''}:\n`);
    for (const error of result.errors) process.stderr.write(`  ${error}\n`);
    process.exit(2);
  }
  return result.config;
}

/**
 * Runs the controllers against the given cluster. On SIGTERM/SIGINT: stop taking keys, let running
 * reconciles finish (bounded by the shutdown timeout), release the Lease, exit 0; a second signal
 * exits at once. Losing leadership exits 1, so a replica never acts on leadership it no longer has.
 */
export async function runController(
  kubeConfig: KubeConfig,
  config: Config,
  log: Logger,
  options: Pick<ManagerOptions, 'onLeadershipChange'> = {},
): Promise<Manager> {
  log.info('Loaded configuration', { config: describeConfig(config), cluster: kubeConfig.getCurrentCluster()?.server });
  if (!config.registry) log.warn('No registry is configured: ImageSpecs will report RegistryNotConfigured');
  for (const detail of config.retired) log.warn('Ignored retired setting', { detail });
  const metrics = new Metrics();
  if (kubeConfig instanceof PooledKubeConfig) {
    const limiter = kubeConfig.limitRequests(config.kubeApi);
    metrics.observeRequestLimiter(() => limiter);
  }
  const leaseName = config.leaderElection.leaseName;
  metrics.setLeader(leaseName, false);
  // Bound first: build Pods are given its address, which may be the port it bound. It renders each
  // build's context when the build Pod asks for it, so broken admin templates stop the start here.
  const templates = loadTemplates(config.templatesDir);
  const upload: UploadServer = await startUploadServer({ clients: makeClients(kubeConfig), config, templates, log });
  const manager = createManager(kubeConfig, { ...config, upload: { ...config.upload, url: upload.baseUrl } }, log, {
    metrics,
    onLeadershipChange: (leading) => {
      metrics.setLeader(leaseName, leading);
      options.onLeadershipChange?.(leading);
    },
    onLostLeadership: () => {
      log.error('Exiting: this replica is no longer the leader');
      process.exit(1);
    },
  });
  let http: HttpServer | undefined;
  let signals = 0;
  const stop = (signal: string) => {
    signals += 1;
    if (signals > 1) {
      log.warn('Received another signal, exiting at once', { signal });
      process.exit(1);
    }
    log.info('Received signal, shutting down', { signal, timeoutSeconds: config.shutdownTimeoutSeconds });
    manager.stop().then(
      async () => {
        await Promise.all([http?.close(), upload.close()]);
        process.exit(0);
      },
      (error: unknown) => {
        log.error('Could not shut down cleanly', { error: describeError(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Up before the caches fill: /readyz answers 503 until they have (on a standby too).
  http = await startHttpServer({
    port: config.http.port,
    portFile: config.http.portFile,
    registry: metrics.registry,
    log,
    ready: () => manager.synced(),
    live: () => manager.live(),
  });
  await manager.start();
  return manager;
}

/** The controller from the given cluster config only; says so and exits 2 when there is none. */
export async function main(): Promise<void> {
  if (!hasClusterConfig()) {
    process.stderr.write(
      'imagespec-controller: no cluster configured: set KUBECONFIG to a kubeconfig file, or run in a Pod ' +
        `(KUBERNETES_SERVICE_HOST set and a service account token at ${IN_CLUSTER_TOKEN}). ` +
        'For the local test cluster, use `npm start` or `npm run local`.\n',
    );
    process.exit(2);
  }
  const config = configOrExit();
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  process.on('unhandledRejection', (reason) => log.error('Unhandled rejection', { error: String(reason) }));
  const kubeConfig = new PooledKubeConfig();
  kubeConfig.loadFromDefault();
  await runController(kubeConfig, config, log);
}

export function exitOnError(error: unknown): never {
  process.stderr.write(`imagespec-controller: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
}

if (import.meta.main) main().catch(exitOnError);
