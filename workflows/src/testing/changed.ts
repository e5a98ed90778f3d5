import { proxyActivities, sleep } from '@temporalio/workflow';
import type { FoldwiseActivities } from '@foldwise/activities';
import type { SearchResult, SearchWorkflowInput } from '@foldwise/spec';

const control = proxyActivities<FoldwiseActivities>({
  taskQueue: 'foldwise-control',
  startToCloseTimeout: '1m',
});

/** A deliberately changed search workflow (a timer before planning): replaying real histories with it must fail. */
export async function searchWorkflow(input: SearchWorkflowInput): Promise<SearchResult> {
  await sleep('1s');
  await control.prepareSearch({ searchId: input.searchId, spec: input.spec, dataset: input.dataset });
  throw new Error('unreachable in replay tests');
}

/** Present so child workflow types still resolve. */
export async function trialWorkflow(): Promise<void> {
  await sleep('1s');
}
