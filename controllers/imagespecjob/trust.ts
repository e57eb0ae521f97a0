// Whether an ImageSpecJob is one the controller created from an ImageSpec, so that building it
// pushes only where the admin's configuration sends that ImageSpec's images. Anyone allowed to
// create ImageSpecJobs could otherwise choose where the controller pushes; a job that fails this
// check is never built, and the controller accepts no image upload for it.
import { controllerOf } from '../../api/owner-references.ts';
import { shortRevision } from '../../api/revision.ts';
import { API_VERSION, IMAGESPEC_KIND, Reasons, type ImageSpec, type ImageSpecJob, type OwnerReference, type Reason } from '../../api/types.ts';
import type { RegistryConfig } from '../../config/types.ts';
import { buildTarget, type BuildTarget } from '../imagespec/buildtarget.ts';
import { outputAllowed, outputTarget } from '../imagespec/output.ts';

export interface TrustObservation {
  job: ImageSpecJob;
  /** The ImageSpec the job's controller reference names, from the cache (same namespace). */
  owner: ImageSpec | undefined;
  registry: RegistryConfig | undefined;
  /** IMAGESPEC_OUTPUT_ALLOWED. */
  outputAllowed: readonly string[];
}

/**
 * `tenantOutput`: the image goes to the ImageSpec's own spec.output, pushed with its pushSecret (if
 * any), never with the admin's credential.
 */
export type Trust =
  | { trusted: true; target: BuildTarget; tenantOutput?: { pushSecret?: string } }
  | { trusted: false; reason: Reason; message: string };

const NOT_CREATED = 'This ImageSpecJob was not created by the controller from an ImageSpec';
const CONFIGURATION_CHANGED = 'or the controller\'s configuration changed since the job was created';

/** The reference to an ImageSpec that controls the job, if any. */
export function controllingImageSpec(job: ImageSpecJob): OwnerReference | undefined {
  const controller = controllerOf(job.metadata);
  return controller?.kind === IMAGESPEC_KIND && controller.apiVersion === API_VERSION ? controller : undefined;
}

function refused(reason: Reason, message: string): Trust {
  return { trusted: false, reason, message: `${NOT_CREATED}: ${message}. Nothing was built.` };
}

/**
 * Messages name fields, never the values a job carries: a forged job's values are whatever its
 * author wrote, and status messages end up in terminals and dashboards.
 */
export function trustJob(observation: TrustObservation): Trust {
  const { job, owner, registry, outputAllowed: allowed } = observation;
  const ref = controllingImageSpec(job);
  if (!ref) return refused(Reasons.NotControlled, 'it has no controller ownerReference to an ImageSpec');
  if (!owner || owner.metadata.uid !== ref.uid || owner.metadata.name !== ref.name) {
    return refused(Reasons.NotControlled, 'the ImageSpec its ownerReference names does not exist in this namespace');
  }
  if (job.spec.imageSpecName !== ref.name) {
    return refused(Reasons.NotControlled, 'spec.imageSpecName is not the name of its controlling ImageSpec');
  }
  const which = `ImageSpec ${ref.name} at revision ${shortRevision(job.spec.revision)}`;
  const output = owner.spec.output;
  if (output) {
    if (!outputAllowed(output, allowed)) {
      return { trusted: false, reason: Reasons.OutputNotAllowed, message: 'spec.output.image of the ImageSpec is outside what the administrator allows (IMAGESPEC_OUTPUT_ALLOWED). Nothing was built.' };
    }
    if (job.spec.targetImage !== outputTarget(output, job.spec.revision)) {
      return refused(Reasons.NotControlled, `spec.targetImage is not the image spec.output of ${which} names`);
    }
    return { trusted: true, target: { targetImage: job.spec.targetImage }, tenantOutput: output.pushSecret ? { pushSecret: output.pushSecret } : {} };
  }
  if (!registry) {
    return { trusted: false, reason: Reasons.RegistryNotConfigured, message: 'No registry is configured: the admin must set IMAGESPEC_REGISTRY_ENDPOINT. Nothing was built.' };
  }
  const target = buildTarget(registry, { namespace: job.metadata.namespace!, imageSpecName: ref.name, revision: job.spec.revision });
  if (job.spec.targetImage !== target.targetImage) {
    return refused(Reasons.NotControlled, `spec.targetImage is not the image the controller's configuration derives for ${which} (${CONFIGURATION_CHANGED})`);
  }
  return { trusted: true, target };
}
