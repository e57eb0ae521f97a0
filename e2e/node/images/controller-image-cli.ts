// npm run image:build: builds (or reuses) the controller's image, prints its size, and pushes it
// to the node's base registry when that runs; otherwise says how to push it later.
import { describeSizes } from './controller-image-spec.ts';
import { baseRegistryServes, buildOrReuseControllerImage } from './controller-image.ts';
import { publishImage } from './publish.ts';
import { taggedRefs } from './recipes.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const image = await buildOrReuseControllerImage(log);
  const refs = taggedRefs(image.recipe, image.hash);
  process.stdout.write(`${refs.pinned}\n`);
  log(`Image ${refs.plain} (${image.manifest.digest}): ${describeSizes(image.sizes)}`);
  log(`OCI layout: ${image.layoutDir}`);
  if (await baseRegistryServes()) {
    await publishImage(image, log);
    log(`Serving ${refs.pinned} and ${refs.plain}`);
  } else {
    log(`The node's registry (127.0.0.1:5001) is not running: npm run node:up, then npm run image:build pushes it.`);
  }
}

main().catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
