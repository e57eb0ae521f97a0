// The causes an install step of the Dockerfile recognises, each with an exit code of its own.
// The step exits with the code and build.sh maps the code back to the reason and the sentence, so a
// user is told what went wrong from the exit status buildah reports, whether or not the step's own
// output reached the build log. Both templates render from this one table and cannot disagree.
import { Reasons, type Reason } from '../api/types.ts';
import type { PackageManager } from '../api/packages.ts';
import { LIST_FILES } from './package-lists.ts';

export interface StepFailure {
  /** Exit status of the RUN step; chosen outside the ranges shells, xargs, apt and pip use (1-2, 100, 123-127). */
  code: number;
  reason: Reason;
  /** The step's package manager: build.sh names the packages of its list file in the message. */
  manager: PackageManager;
  /** What happened and what to do, in a user's words. Plain text: no quote characters (it is shell-quoted). */
  sentence: string;
}

export const STEP_FAILURES = {
  noAptGet: {
    code: 90,
    reason: Reasons.AptInstallFailed,
    manager: 'apt',
    sentence: 'apt packages were requested, but the base image has no apt-get (it is not Debian or Ubuntu based); choose a Debian or Ubuntu based image or remove the apt packages',
  },
  aptUpdateFailed: {
    code: 91,
    reason: Reasons.AptInstallFailed,
    manager: 'apt',
    sentence: 'apt-get update could not download the package lists of the base image (network, proxy, or the apt sources of the base image)',
  },
  aptInstallFailed: {
    code: 92,
    reason: Reasons.AptInstallFailed,
    manager: 'apt',
    sentence: 'apt-get could not install the apt packages: a name or version may not exist in the release of the base image',
  },
  noConda: {
    code: 93,
    reason: Reasons.CondaInstallFailed,
    manager: 'conda',
    sentence: 'conda packages were requested, but the base image has no conda on its PATH; choose a base image with conda (for example a Miniforge or Jupyter image) or install these packages with pip',
  },
  condaInstallFailed: {
    code: 94,
    reason: Reasons.CondaInstallFailed,
    manager: 'conda',
    sentence: 'conda could not install the conda packages: a name, version or channel may not exist',
  },
  noPip: {
    code: 95,
    reason: Reasons.PipInstallFailed,
    manager: 'pip',
    sentence: 'pip packages were requested, but the base image has no pip; add python3-pip to the apt packages or choose a Python base image',
  },
  pipInstallFailed: {
    code: 96,
    reason: Reasons.PipInstallFailed,
    manager: 'pip',
    sentence: 'pip could not install the pip packages: a name or version may not exist, or a package failed to build',
  },
} as const satisfies Record<string, StepFailure>;

/** The list file the step installs from, for build.sh. */
export function stepFailureView(failure: StepFailure): StepFailure & { listFile: string } {
  return { ...failure, listFile: LIST_FILES[failure.manager] };
}
