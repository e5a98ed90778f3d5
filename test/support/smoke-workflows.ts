import { proxyActivities } from '@temporalio/workflow';

/** Activities that the smoke workflow calls. */
export interface SmokeActivities {
  echo(text: string): Promise<string>;
}

const { echo } = proxyActivities<SmokeActivities>({ startToCloseTimeout: '30s' });

/** Calls one activity and returns its answer with a suffix, so a round trip is visible in the result. */
export async function smokeRoundTrip(text: string): Promise<string> {
  return `${await echo(text)}:done`;
}
