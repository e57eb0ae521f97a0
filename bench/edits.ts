// editToPod: idle ImageSpecs edited at a steady rate, each edit timed from its write's response
// to the ADDED event of its new revision's build Pod on the Pod watch (opened before the edits).
import { LABEL_IMAGESPEC } from '../api/types.ts';
import { patchImageSpec } from '../e2e/integration/harness.ts';
import { writeSnapshot } from './apiserver.ts';
import { LATENCY_TIMEOUT_MS, settled, type BenchContext } from './context.ts';
import { benchSpec, spread } from './plan.ts';
import { runPaced } from './pool.ts';
import { windowWrites, type WindowWrites } from './writes.ts';

export interface EditResult {
  latenciesMs: number[];
  writes: WindowWrites;
}

/** One edit per ImageSpec (at most n edits): a second edit of one ImageSpec would not find it idle. */
export async function editToPod(ctx: BenchContext): Promise<EditResult> {
  const targets = spread(ctx.names, ctx.options.edits);
  ctx.log(`${targets.length} edits, ${ctx.options.rate} a second, timed to their new build Pod`);
  const before = await writeSnapshot(ctx.kube);
  const latenciesMs = await runPaced(targets.length, ctx.options.rate, async (i) => {
    const name = targets[i]!;
    const created = ctx.pods.next(`the new build Pod of ImageSpec ${name}`, ({ isNew, object }) => isNew && object.metadata?.labels?.[LABEL_IMAGESPEC] === name, LATENCY_TIMEOUT_MS);
    await patchImageSpec(ctx.kube, ctx.namespace, name, { spec: benchSpec(i) });
    const written = performance.now();
    return (await created) - written;
  });
  await settled(ctx, 'the edited ImageSpecs to settle');
  return { latenciesMs, writes: windowWrites(before, await writeSnapshot(ctx.kube)) };
}
