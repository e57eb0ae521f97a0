// What "converged" means after any sequence of faults, as a pure check over a namespace's objects:
// one ImageSpecJob per revision, at most one build Pod per job, every ImageSpec's status on its
// newest revision, only the newest revision still running, and no Pod without its job.
import type { V1Pod } from '@kubernetes/client-node';
import { controllerOf } from '../../api/owner-references.ts';
import { isTerminalPhase } from '../../api/phases.ts';
import { computeRevision } from '../../api/revision.ts';
import type { ImageSpec, ImageSpecJob } from '../../api/types.ts';

export interface NamespaceObjects {
  imageSpecs: ImageSpec[];
  jobs: ImageSpecJob[];
  pods: V1Pod[];
}

/** Every way the objects differ from a converged state; empty when converged. */
export function convergenceProblems(objects: NamespaceObjects): string[] {
  const problems: string[] = [];
  const jobsByUid = new Map(objects.jobs.map((job) => [job.metadata.uid, job]));

  for (const spec of objects.imageSpecs) {
    const name = spec.metadata.name!;
    const revision = computeRevision(spec.spec);
    const own = objects.jobs.filter((job) => controllerOf(job.metadata)?.uid === spec.metadata.uid);
    const current = own.filter((job) => job.spec.revision === revision);
    if (current.length !== 1) problems.push(`ImageSpec ${name}: ${current.length} ImageSpecJobs for its revision ${revision.slice(0, 12)}`);
    const stillRunning = own.filter((job) => job.spec.revision !== revision && !isTerminalPhase(job.status?.phase));
    for (const job of stillRunning) problems.push(`ImageSpec ${name}: superseded ImageSpecJob ${job.metadata.name} is still ${job.status?.phase ?? 'without status'}`);
    const status = spec.status;
    if (status?.revision !== revision) problems.push(`ImageSpec ${name}: status.revision ${status?.revision?.slice(0, 12) ?? '(none)'}, spec revision ${revision.slice(0, 12)}`);
    if (status?.observedGeneration !== spec.metadata.generation) problems.push(`ImageSpec ${name}: observedGeneration ${status?.observedGeneration} of generation ${spec.metadata.generation}`);
    const job = current[0];
    if (job && status?.jobName !== job.metadata.name) problems.push(`ImageSpec ${name}: status.jobName ${status?.jobName ?? '(none)'}, current job ${job.metadata.name}`);
    if (job && (job.status?.phase ?? 'Pending') !== (status?.phase ?? 'Pending')) {
      problems.push(`ImageSpec ${name}: phase ${status?.phase ?? '(none)'}, its job ${job.metadata.name} is ${job.status?.phase ?? '(none)'}`);
    }
  }

  const podsPerJob = new Map<string, number>();
  for (const pod of objects.pods) {
    const owner = controllerOf(pod.metadata);
    if (!owner || !jobsByUid.has(owner.uid)) problems.push(`Pod ${pod.metadata?.name}: its ImageSpecJob is gone`);
    else podsPerJob.set(owner.uid, (podsPerJob.get(owner.uid) ?? 0) + 1);
  }
  for (const [uid, count] of podsPerJob) if (count > 1) problems.push(`ImageSpecJob ${jobsByUid.get(uid)?.metadata.name}: ${count} build Pods`);
  const specUids = new Set(objects.imageSpecs.map((spec) => spec.metadata.uid));
  for (const job of objects.jobs) {
    const owner = controllerOf(job.metadata);
    if (!owner || !specUids.has(owner.uid)) problems.push(`ImageSpecJob ${job.metadata.name}: its ImageSpec is gone`);
    if (job.metadata.annotations?.['imagespec.dev/cancel'] && job.status?.phase === 'Cancelled') {
      const pods = podsPerJob.get(job.metadata.uid!) ?? 0;
      if (pods > 0) problems.push(`ImageSpecJob ${job.metadata.name}: cancelled but its Pod remains`);
    }
  }
  return problems;
}
