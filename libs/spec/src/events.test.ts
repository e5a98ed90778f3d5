import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EventKind,
  FoldwiseEventSchema,
  eventMsgId,
  eventSubject,
  isTerminalEvent,
  type FoldwiseEvent,
} from './events';

const ts = '2026-11-29T14:00:00.000Z';
const fold = (attempt: number): FoldwiseEvent => ({
  kind: EventKind.Fold,
  searchId: 's1',
  ts,
  trialIndex: 3,
  fold: 2,
  attempt,
  payload: {
    status: 'completed',
    model: 'mlp',
    metrics: { accuracy: 0.9 },
    epochsTrained: 5,
    durationMs: 1200,
  },
});
const epoch = (attempt: number, e: number): FoldwiseEvent => ({
  kind: EventKind.Epoch,
  searchId: 's1',
  ts,
  trialIndex: 3,
  fold: 2,
  epoch: e,
  attempt,
  payload: { trainLoss: 0.5, valLoss: null, valScore: 0.8 },
});

void test('a subject is foldwise.search.<searchId>.<kind>, and .> without a kind', () => {
  assert.equal(eventSubject('abc-1', EventKind.Epoch), 'foldwise.search.abc-1.epoch');
  assert.equal(eventSubject('abc-1'), 'foldwise.search.abc-1.>');
});

void test('a search id that is not a single subject token is rejected with the argument named', () => {
  for (const bad of ['', 'a.b', 'a*', 'a>', 'a b', 'a:b']) {
    assert.throws(() => eventSubject(bad, EventKind.Fold), /searchId must be/);
  }
  assert.throws(() => eventSubject('ok', 'nope' as EventKind), /kind must be one of/);
});

void test('a retried fold completion has the same message id as the first attempt', () => {
  assert.equal(eventMsgId(fold(1)), eventMsgId(fold(3)));
  assert.equal(eventMsgId(fold(1)), 's1:fold:3:2');
});

void test('epoch message ids differ by epoch and by attempt but repeat for the same epoch of the same attempt', () => {
  assert.notEqual(eventMsgId(epoch(1, 4)), eventMsgId(epoch(1, 5)));
  assert.notEqual(eventMsgId(epoch(1, 4)), eventMsgId(epoch(2, 4)));
  assert.equal(eventMsgId(epoch(2, 4)), eventMsgId(epoch(2, 4)));
});

void test('trial events of different statuses have different message ids', () => {
  const trial = (status: 'running' | 'completed'): FoldwiseEvent => ({
    kind: EventKind.Trial,
    searchId: 's1',
    ts,
    trialIndex: 0,
    payload: { status, model: 'mlp', params: { lr: 0.01 } },
  });
  assert.notEqual(eventMsgId(trial('running')), eventMsgId(trial('completed')));
});

void test('every event kind round-trips through JSON and the schema', () => {
  const events: FoldwiseEvent[] = [
    { kind: 'started', searchId: 's1', ts, payload: { name: 'n', models: ['mlp'], plannedTrials: 4 } },
    {
      kind: 'trial',
      searchId: 's1',
      ts,
      trialIndex: 0,
      payload: { status: 'running', model: 'mlp', params: { a: [1, 2] } },
    },
    fold(1),
    epoch(1, 0),
    { kind: 'pruned', searchId: 's1', ts, trialIndex: 1, payload: { kind: 'racing', evidence: { p: 0.01 } } },
    {
      kind: 'completed',
      searchId: 's1',
      ts,
      payload: {
        counts: {
          trials: 1,
          trialsCompleted: 1,
          trialsPruned: 0,
          trialsFailed: 0,
          folds: 5,
          foldsCompleted: 5,
        },
      },
    },
    { kind: 'failed', searchId: 's1', ts, payload: { error: 'boom' } },
  ];
  assert.deepEqual(new Set(events.map((e) => e.kind)), new Set(Object.values(EventKind)));
  for (const e of events) {
    assert.deepEqual(FoldwiseEventSchema.parse(JSON.parse(JSON.stringify(e))), e);
  }
  assert.deepEqual(events.map(isTerminalEvent), [false, false, false, false, false, true, true]);
});

void test('an event missing its identity fields is rejected with the path named', () => {
  const { fold: _f, ...noFold } = fold(1) as Extract<FoldwiseEvent, { kind: 'fold' }>;
  const r = FoldwiseEventSchema.safeParse(noFold);
  assert.equal(r.success, false);
  assert.deepEqual(
    r.error?.issues.map((i) => i.path.join('.')),
    ['fold'],
  );
  assert.equal(FoldwiseEventSchema.safeParse({ ...fold(1), ts: 'yesterday' }).success, false);
  assert.equal(FoldwiseEventSchema.safeParse({ ...fold(1), attempt: 0 }).success, false);
});
