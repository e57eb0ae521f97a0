// At rest: nothing changes for a while, with the controller running, then across its restart
// (SIGTERM, a new process, ready again). Any write in these windows is one too many.
import { setTimeout as sleep } from 'node:timers/promises';
import { writeSnapshot } from './apiserver.ts';
import type { BenchContext } from './context.ts';
import { cpuMs, RssSampler, rssMb, startReadyController } from './controller.ts';
import { listFloor, type ListFloor } from './list-floor.ts';
import { windowWrites, type WindowWrites } from './writes.ts';

export interface RestResult {
  writes: WindowWrites;
  cpuMs: number;
  /** Resident memory at the end of the window. */
  rssMb: number;
}

export async function atRest(ctx: BenchContext): Promise<RestResult> {
  ctx.log(`${ctx.options.restSeconds} s at rest`);
  const before = await writeSnapshot(ctx.kube);
  const cpuBefore = cpuMs(ctx.controller.pid);
  await sleep(ctx.options.restSeconds * 1000);
  const cpu = cpuMs(ctx.controller.pid) - cpuBefore;
  const writes = windowWrites(before, await writeSnapshot(ctx.kube));
  return { writes, cpuMs: cpu, rssMb: rssMb(ctx.controller.pid) };
}

export interface RestartResult extends RestResult {
  readyMs: number;
  /** The lists a start needs, made by the benchmark's client just before the restart (list-floor.ts). */
  listFloor: ListFloor;
  /** CPU the new process used until it was ready. */
  startupCpuMs: number;
  peakRssMb: number;
}

/** Stops the controller (SIGTERM), starts a new one, and watches the window after it is ready. */
export async function restart(ctx: BenchContext): Promise<RestartResult> {
  const floor = await listFloor(ctx.kube, ctx.namespace);
  ctx.log(`list floor: ${floor.objects} objects in ${Math.round(floor.ms)} ms`);
  const before = await writeSnapshot(ctx.kube);
  const code = await ctx.controller.process.stop('SIGTERM');
  if (code !== 0) ctx.log(`the controller exited with ${code} on SIGTERM (see ${ctx.controller.process.logFile})`);
  ctx.controller = await startReadyController(ctx.kubeconfig, ctx.namespace, ctx.nodeSelector, 'restarted');
  const sampler = new RssSampler(ctx.controller.pid);
  ctx.log(`restarted: ready in ${Math.round(ctx.controller.readyMs)} ms with ${ctx.names.length} ImageSpecs; ${ctx.options.restSeconds} s at rest`);
  const startupCpuMs = cpuMs(ctx.controller.pid);
  await sleep(ctx.options.restSeconds * 1000);
  const cpu = cpuMs(ctx.controller.pid) - startupCpuMs;
  const writes = windowWrites(before, await writeSnapshot(ctx.kube));
  return { writes, cpuMs: cpu, rssMb: rssMb(ctx.controller.pid), readyMs: ctx.controller.readyMs, listFloor: floor, startupCpuMs, peakRssMb: sampler.stop() };
}
