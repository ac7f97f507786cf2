import type { ModelStage, StageChangeReason } from './model-version.model';

/**
 * Every legal stage move and the operation that may make it. Archiving the production version
 * directly is not allowed: a name that has had a production version always keeps exactly one, so
 * the way out is promoting another candidate or rolling back.
 */
const LEGAL_TRANSITIONS: ReadonlyArray<readonly [ModelStage, ModelStage, StageChangeReason]> = [
  ['candidate', 'production', 'promote'],
  ['candidate', 'archived', 'archive'],
  ['production', 'archived', 'promote'],
  ['production', 'archived', 'rollback'],
  ['archived', 'production', 'rollback'],
];

export function isLegalStageTransition(from: ModelStage, to: ModelStage, reason: StageChangeReason): boolean {
  return LEGAL_TRANSITIONS.some(([f, t, r]) => f === from && t === to && r === reason);
}

/**
 * The versions that were production, oldest first, with the current one last: a promotion pushes,
 * a rollback pops. `rollback` returns to the entry below the top.
 */
export function productionStack(
  history: ReadonlyArray<{ version: number; from: ModelStage | null; to: ModelStage; reason: StageChangeReason }>,
): number[] {
  const stack: number[] = [];
  for (const change of history) {
    if (change.reason === 'promote' && change.to === 'production') stack.push(change.version);
    if (change.reason === 'rollback' && change.from === 'production') stack.pop();
  }
  return stack;
}
