// Conditions in the Kubernetes style: lastTransitionTime moves only when the status flips.
import type { Condition } from '../../api/types.ts';

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

export function setCondition(existing: Condition[] | undefined, next: ConditionInput, now: string): Condition[] {
  const current = existing?.find((c) => c.type === next.type);
  const lastTransitionTime = current && current.status === next.status ? current.lastTransitionTime : now;
  const others = (existing ?? []).filter((c) => c.type !== next.type);
  return [...others, { ...next, lastTransitionTime }];
}

export function findCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
