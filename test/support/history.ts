import { defaultPayloadConverter } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { TrainFoldInput, TrainFoldSummary } from '@foldwise/spec';

/** One `trainFold` activity a trial workflow scheduled, read back from its Temporal history. */
export interface TrainFoldCall {
  /** Event id of its ActivityTaskScheduled event. */
  scheduledEventId: number;
  input: TrainFoldInput;
  /** How it ended, as the history records it; `open` when it has not ended. */
  outcome: 'completed' | 'failed' | 'timedOut' | 'cancelled' | 'open';
  /** Whether the workflow asked Temporal to cancel it. */
  cancelRequested: boolean;
  /** Its result, when it completed. */
  result?: TrainFoldSummary;
}

/** A signal a workflow received, with the event id it arrived at. */
export interface ReceivedSignal {
  eventId: number;
  name: string;
  input: unknown[];
}

/** What a trial workflow did, from its history: the folds it scheduled and the signals it received. */
export interface TrialHistory {
  trainFolds: TrainFoldCall[];
  signals: ReceivedSignal[];
}

const decode = (payloads: unknown): unknown[] =>
  ((payloads as { payloads?: unknown[] } | null | undefined)?.payloads ?? []).map((p) =>
    defaultPayloadConverter.fromPayload(p as never),
  );

const idOf = (v: unknown): number => Number(v ?? 0);

/** Reads one workflow's history and lists its `trainFold` activities with their inputs and outcomes, and its signals. */
export async function trialHistory(temporal: Client, workflowId: string): Promise<TrialHistory> {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  const calls = new Map<number, TrainFoldCall>();
  const signals: ReceivedSignal[] = [];
  for (const e of history.events ?? []) {
    const id = idOf(e.eventId);
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'trainFold') {
      calls.set(id, {
        scheduledEventId: id,
        input: decode(scheduled.input)[0] as TrainFoldInput,
        outcome: 'open',
        cancelRequested: false,
      });
      continue;
    }
    const done = e.activityTaskCompletedEventAttributes;
    const call = (sid: unknown) => calls.get(idOf(sid));
    if (done) {
      const c = call(done.scheduledEventId);
      if (c) {
        c.outcome = 'completed';
        c.result = decode(done.result)[0] as TrainFoldSummary;
      }
    }
    const failed = e.activityTaskFailedEventAttributes;
    if (failed) {
      const c = call(failed.scheduledEventId);
      if (c) c.outcome = 'failed';
    }
    const timedOut = e.activityTaskTimedOutEventAttributes;
    if (timedOut) {
      const c = call(timedOut.scheduledEventId);
      if (c) c.outcome = 'timedOut';
    }
    const cancelled = e.activityTaskCanceledEventAttributes;
    if (cancelled) {
      const c = call(cancelled.scheduledEventId);
      if (c) c.outcome = 'cancelled';
    }
    const cancelRequested = e.activityTaskCancelRequestedEventAttributes;
    if (cancelRequested) {
      const c = call(cancelRequested.scheduledEventId);
      if (c) c.cancelRequested = true;
    }
    const signal = e.workflowExecutionSignaledEventAttributes;
    if (signal) signals.push({ eventId: id, name: signal.signalName ?? '', input: decode(signal.input) });
  }
  return { trainFolds: [...calls.values()], signals };
}
