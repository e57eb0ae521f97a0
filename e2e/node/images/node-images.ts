// All images the node and the end-to-end builds need, built (or taken from the cache) and
// served by the base registry. Built one after another: the machine has two cores.
import { ensureImage, type Log } from './build.ts';
import { publishImage, type PublishedImage } from './publish.ts';
import { builderRecipe, debianRecipe, pauseRecipe, pythonRecipe } from './recipes.ts';

export interface NodeImages {
  /** containerd's sandbox image. */
  pause: PublishedImage;
  /** buildah + curl: the controller's build and push image. */
  builder: PublishedImage;
  /** Debian bookworm minbase: `127.0.0.1:5001/base/debian:bookworm`. */
  debian: PublishedImage;
  /** python3 with pip in /opt/venv, default user jovyan (1000): `127.0.0.1:5001/base/python:3.11-bookworm`. */
  python: PublishedImage;
}

/** Needs the base registry running. */
export async function ensureNodeImages(log: Log): Promise<NodeImages> {
  const started = Date.now();
  const images: Partial<NodeImages> = {};
  const recipes = { pause: pauseRecipe, builder: builderRecipe, debian: debianRecipe, python: pythonRecipe };
  for (const [key, recipe] of Object.entries(recipes) as [keyof NodeImages, typeof pauseRecipe][]) {
    images[key] = await publishImage(await ensureImage(recipe, log), log);
  }
  log(`Node images ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return images as NodeImages;
}
