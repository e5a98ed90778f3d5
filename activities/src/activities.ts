import { createBestScoreTracker } from './best';
import { createFoldActivities } from './fold';
import type { ActivityDeps } from './ports';
import { createRefitActivities } from './refit';
import { createSearchActivities } from './search';
import { createTrialActivities } from './trial';

/** foldwise's activities, one factory per role (search, trial, fold, refit) over the same injected ports. */
export const createActivities = (deps: ActivityDeps) => {
  const best = createBestScoreTracker(deps.telemetry);
  return {
    ...createSearchActivities(deps, best),
    ...createTrialActivities(deps, best),
    ...createFoldActivities(deps),
    ...createRefitActivities(deps),
  };
};

/** The activity functions, as workflows see them (`import type` only). */
export type FoldwiseActivities = ReturnType<typeof createActivities>;
