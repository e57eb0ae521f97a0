// The phases of an ImageSpec and of an ImageSpecJob: one list for the CRD's enum, the types and
// every check of whether a build is over.

export const PHASES = ['Pending', 'Building', 'Succeeded', 'Failed', 'Cancelled'] as const;
export type Phase = (typeof PHASES)[number];

/** The phases a build never leaves. */
export const TERMINAL_PHASES: ReadonlySet<Phase> = new Set<Phase>(['Succeeded', 'Failed', 'Cancelled']);

/** True for a phase a build never leaves; a string from the wire that is no phase is not terminal. */
export function isTerminalPhase(phase: string | undefined): boolean {
  return phase !== undefined && (TERMINAL_PHASES as ReadonlySet<string>).has(phase);
}
