// npm run cluster:build | cluster:up [-- --node] | cluster:down [-- --purge] | kubectl -- ARGS
// Progress goes to stderr; `up` prints only the kubeconfig path on stdout, so
// `export KUBECONFIG=$(npm run -s cluster:up)` works.
import { spawn } from 'node:child_process';
import { ensureBinaries } from './build.ts';
import { clusterDown, clusterUp } from './cluster.ts';
import { nodeHooks } from '../node/hooks.ts';
import { kubeconfigPath, kubectlPath } from './paths.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

async function runKubectl(args: string[]): Promise<number> {
  await ensureBinaries({ log });
  const child = spawn(kubectlPath(), args, { stdio: 'inherit', env: { ...process.env, KUBECONFIG: kubeconfigPath } });
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise(code ?? (signal ? 128 : 1)));
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'build':
      await ensureBinaries({ log });
      return 0;
    case 'up': {
      const { kubeconfig } = await clusterUp({ log, node: rest.includes('--node') ? nodeHooks : undefined });
      process.stdout.write(`${kubeconfig}\n`);
      return 0;
    }
    case 'down':
      await clusterDown({ log, purge: rest.includes('--purge'), node: nodeHooks });
      return 0;
    case 'kubectl':
      return runKubectl(rest);
    default:
      log('usage: cli.ts build | up [--node] | down [--purge] | kubectl ARGS...');
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
