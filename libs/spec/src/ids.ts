/**
 * Every id foldwise makes, made and parsed here only. Document ids follow DESIGN's data model; workflow ids are
 * readable in the Temporal UI.
 */

/** Workflow id of a search, which is also its search id and `searches._id`. */
export function searchWorkflowId(name: string, id: string): string {
  return `search-${name}-${id}`;
}

/** `trials._id` of a trial: `${searchId}:${trialIndex}`. */
export const trialIdOf = (searchId: string, trialIndex: number): string => `${searchId}:${trialIndex}`;

/** The search id and trial index of a `trials._id`; a malformed id is a TypeError that quotes it. */
export function parseTrialId(trialId: string): { searchId: string; trialIndex: number } {
  const cut = trialId.lastIndexOf(':');
  const searchId = trialId.slice(0, cut);
  const trialIndex = Number(trialId.slice(cut + 1));
  if (
    cut <= 0 ||
    !Number.isInteger(trialIndex) ||
    trialIndex < 0 ||
    trialIdOf(searchId, trialIndex) !== trialId
  ) {
    throw new TypeError(`trialId must be "<searchId>:<trialIndex>" (got ${JSON.stringify(trialId)})`);
  }
  return { searchId, trialIndex };
}

/** `folds._id` of a fold (the fold activity's idempotency key): `${searchId}:${trialIndex}:${fold}`. */
export const foldIdOf = (searchId: string, trialIndex: number, fold: number): string =>
  `${trialIdOf(searchId, trialIndex)}:${fold}`;

/** The search id, trial index and fold of a `folds._id`; a malformed id is a TypeError that quotes it. */
export function parseFoldId(foldId: string): { searchId: string; trialIndex: number; fold: number } {
  const cut = foldId.lastIndexOf(':');
  const fold = Number(foldId.slice(cut + 1));
  if (cut <= 0 || !Number.isInteger(fold) || fold < 0) {
    throw new TypeError(`foldId must be "<searchId>:<trialIndex>:<fold>" (got ${JSON.stringify(foldId)})`);
  }
  const trial = parseTrialId(foldId.slice(0, cut));
  if (foldIdOf(trial.searchId, trial.trialIndex, fold) !== foldId) {
    throw new TypeError(`foldId must be "<searchId>:<trialIndex>:<fold>" (got ${JSON.stringify(foldId)})`);
  }
  return { ...trial, fold };
}

/** Workflow id of a trial's child workflow. */
export function trialWorkflowId(searchId: string, trialIndex: number): string {
  return `${searchId}-trial-${trialIndex}`;
}

/** Workflow id of a further repeat of a trial (repeats on demand; `repeat` counts from 2). */
export function trialRepeatWorkflowId(searchId: string, trialIndex: number, repeat: number): string {
  return `${trialWorkflowId(searchId, trialIndex)}-repeat-${repeat}`;
}

/** The search id and trial index of a trial workflow id; a malformed id is a TypeError that quotes it. */
export function parseTrialWorkflowId(workflowId: string): { searchId: string; trialIndex: number } {
  const m = /^(.+)-trial-(\d+)$/.exec(workflowId);
  if (!m || trialWorkflowId(m[1]!, Number(m[2])) !== workflowId) {
    throw new TypeError(
      `workflowId must be "<searchId>-trial-<trialIndex>" (got ${JSON.stringify(workflowId)})`,
    );
  }
  return { searchId: m[1]!, trialIndex: Number(m[2]) };
}
