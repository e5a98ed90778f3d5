export { searchWorkflow, HISTORY_EVENTS_BEFORE_CONTINUE, type CarriedState } from './search';
export { trialWorkflow, describeParams } from './trial';
export * from './messages';
