import { z } from 'zod';
import {
  BestSchema,
  FoldStatus,
  MetricValuesSchema,
  ParamsSchema,
  PrunedBySchema,
  SearchCountsSchema,
  SearchIdTokenSchema,
  TrialStatus,
} from './results';

/** Kinds of progress event; each is the last token of its NATS subject. */
export const EventKind = {
  Started: 'started',
  Trial: 'trial',
  Fold: 'fold',
  Epoch: 'epoch',
  Pruned: 'pruned',
  Completed: 'completed',
  Failed: 'failed',
} as const;
/** One of the values of {@link EventKind}. */
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/** Prefix of every foldwise subject; a stream over `${EVENT_SUBJECT_PREFIX}.>` captures all searches. */
export const EVENT_SUBJECT_PREFIX = 'foldwise.search';

const isoTimestamp = z.iso.datetime({ offset: true });
const index = z.int().nonnegative();
const attempt = z.int().positive();
const base = { searchId: SearchIdTokenSchema, ts: isoTimestamp };

/** A search began (or resumed); its plan in brief. */
export const StartedEventSchema = z.object({
  kind: z.literal(EventKind.Started),
  ...base,
  payload: z.object({
    name: z.string(),
    models: z.array(z.string()),
    plannedTrials: index.optional(),
    foldsPerTrial: index.optional(),
  }),
});

/** A trial changed status; `payload.status` is part of the event's identity. */
export const TrialEventSchema = z.object({
  kind: z.literal(EventKind.Trial),
  ...base,
  trialIndex: index,
  payload: z.object({
    status: z.enum(TrialStatus),
    model: z.string(),
    params: ParamsSchema,
    metrics: MetricValuesSchema.optional(),
    error: z.string().optional(),
  }),
});

/** A fold finished (with any outcome); one event per fold regardless of attempts. */
export const FoldEventSchema = z.object({
  kind: z.literal(EventKind.Fold),
  ...base,
  trialIndex: index,
  fold: index,
  attempt,
  payload: z.object({
    status: z.enum(FoldStatus),
    model: z.string(),
    metrics: MetricValuesSchema,
    epochsTrained: index,
    durationMs: z.number().nonnegative(),
    worker: z.string().optional(),
    backend: z.string().optional(),
    error: z.string().optional(),
  }),
});

/** An epoch of a fold finished; epochs re-trained by a retry carry the new attempt number. */
export const EpochEventSchema = z.object({
  kind: z.literal(EventKind.Epoch),
  ...base,
  trialIndex: index,
  fold: index,
  epoch: index,
  attempt,
  payload: z.object({
    trainLoss: z.number().nullable(),
    valLoss: z.number().nullable(),
    valScore: z.number().nullable(),
  }),
});

/** A trial (or one fold of it, when `fold` is set) was stopped early. */
export const PrunedEventSchema = z.object({
  kind: z.literal(EventKind.Pruned),
  ...base,
  trialIndex: index,
  fold: index.optional(),
  payload: PrunedBySchema,
});

/** The search finished; the last event of a successful search. */
export const CompletedEventSchema = z.object({
  kind: z.literal(EventKind.Completed),
  ...base,
  payload: z.object({ counts: SearchCountsSchema, best: BestSchema.optional() }),
});

/** The search failed or was cancelled; the last event of an unsuccessful search. */
export const FailedEventSchema = z.object({
  kind: z.literal(EventKind.Failed),
  ...base,
  payload: z.object({ error: z.string(), cancelled: z.boolean().optional() }),
});

/** Any foldwise progress event, discriminated by `kind`. */
export const FoldwiseEventSchema = z.discriminatedUnion('kind', [
  StartedEventSchema,
  TrialEventSchema,
  FoldEventSchema,
  EpochEventSchema,
  PrunedEventSchema,
  CompletedEventSchema,
  FailedEventSchema,
]);
/** Any foldwise progress event. */
export type FoldwiseEvent = z.infer<typeof FoldwiseEventSchema>;
/** The event of one kind. */
export type FoldwiseEventOf<K extends EventKind> = Extract<FoldwiseEvent, { kind: K }>;

/** Whether an event ends its search's stream (`completed` or `failed`). */
export const isTerminalEvent = (event: FoldwiseEvent): boolean =>
  event.kind === EventKind.Completed || event.kind === EventKind.Failed;

const assertToken = (name: string, value: string): void => {
  if (!SearchIdTokenSchema.safeParse(value).success) {
    throw new TypeError(
      `${name} must be a non-empty NATS subject token without ':', '.', '*', '>' or whitespace (got ${JSON.stringify(value)})`,
    );
  }
};

/** Subject of a search's events: `foldwise.search.<searchId>.<kind>`, or `.>` for all kinds when kind is omitted. */
export const eventSubject = (searchId: string, kind?: EventKind): string => {
  assertToken('searchId', searchId);
  if (kind !== undefined && !Object.values(EventKind).includes(kind)) {
    throw new TypeError(
      `kind must be one of ${Object.values(EventKind).join(', ')} (got ${JSON.stringify(kind)})`,
    );
  }
  return `${EVENT_SUBJECT_PREFIX}.${searchId}.${kind ?? '>'}`;
};

/**
 * `Nats-Msg-Id` of an event, built from its identity so a republished event is deduplicated:
 * fold completions omit the attempt (a retry's result is the same fold), epochs include attempt and epoch.
 */
export const eventMsgId = (event: FoldwiseEvent): string => {
  const s = event.searchId;
  switch (event.kind) {
    case EventKind.Started:
      return `${s}:started`;
    case EventKind.Trial:
      return `${s}:trial:${event.trialIndex}:${event.payload.status}`;
    case EventKind.Fold:
      return `${s}:fold:${event.trialIndex}:${event.fold}`;
    case EventKind.Epoch:
      return `${s}:epoch:${event.trialIndex}:${event.fold}:${event.attempt}:${event.epoch}`;
    case EventKind.Pruned:
      return event.fold === undefined
        ? `${s}:pruned:${event.trialIndex}`
        : `${s}:pruned:${event.trialIndex}:${event.fold}`;
    case EventKind.Completed:
      return `${s}:completed`;
    case EventKind.Failed:
      return `${s}:failed`;
  }
};
