// npm run node:images | node:up | node:down
// images: build (or reuse) the node's images and serve them from the base registry.
// up: the control plane (started if needed) and the node, then prints the controller's .env path.
// down: the node only; `npm run cluster:down` stops the node and the control plane.
import { clusterUp } from '../cluster/cluster.ts';
import { nodeHooks } from './hooks.ts';
import { ensureNodeImages } from './images/node-images.ts';
import { nodeDown } from './node.ts';
import { baseRegistry, startRegistry } from './registry.ts';
import { controllerEnvPath } from './paths.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'images':
      await startRegistry(baseRegistry, log);
      await ensureNodeImages(log);
      return 0;
    case 'up':
      await clusterUp({ log, node: nodeHooks });
      process.stdout.write(`${controllerEnvPath}\n`);
      return 0;
    case 'down':
      await nodeDown({ log });
      return 0;
    default:
      log('usage: cli.ts images | up | down');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
