import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { MongoClient, MongoServerError } from 'mongodb';
import { connect, nanos } from 'nats';
import { SearchAttribute, stackEnv } from '../support/stack';
import type { SmokeActivities } from '../support/smoke-workflows';

const run = randomUUID().slice(0, 8);

Runtime.install({ logger: new DefaultLogger('WARN') });

test('a workflow runs an activity on a worker through the Temporal dev server and keeps its search attribute', async () => {
  const env = stackEnv();
  const taskQueue = `smoke-${run}`;
  const nativeConnection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  try {
    const activities: SmokeActivities = { echo: async (text) => `echo(${text})` };
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue,
      workflowsPath: resolve(__dirname, '../support/smoke-workflows.ts'),
      activities,
    });
    const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
    const searchName = defineSearchAttributeKey(SearchAttribute.SearchName, SearchAttributeType.KEYWORD);
    const { result, attribute } = await worker.runUntil(async () => {
      const handle = await client.workflow.start('smokeRoundTrip', {
        taskQueue,
        workflowId: `smoke-${run}`,
        args: [run],
        typedSearchAttributes: [{ key: searchName, value: `smoke-${run}` }],
      });
      const out = await handle.result();
      const description = await handle.describe();
      return { result: out as string, attribute: description.typedSearchAttributes.get(searchName) };
    });
    assert.equal(result, `echo(${run}):done`);
    assert.equal(attribute, `smoke-${run}`);
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
});

test('FerretDB stores a document, rejects a duplicate key with code 11000 and reads the first one back', async () => {
  const env = stackEnv();
  const client = new MongoClient(env.MONGODB_URI, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const coll = client.db(env.MONGODB_DB).collection<{ key: string; value: number }>(`smoke_${run}`);
  try {
    await coll.createIndex({ key: 1 }, { unique: true });
    await coll.insertOne({ key: 'fold-0', value: 1 });
    await assert.rejects(coll.insertOne({ key: 'fold-0', value: 2 }), (err: unknown) => {
      assert.ok(err instanceof MongoServerError, `expected a MongoServerError, got ${String(err)}`);
      assert.equal(err.code, 11000);
      return true;
    });
    const docs = await coll.find({ key: 'fold-0' }, { projection: { _id: 0 } }).toArray();
    assert.deepEqual(docs, [{ key: 'fold-0', value: 1 }]);
  } finally {
    await coll.drop().catch(() => undefined);
    await client.close();
  }
});

test('JetStream stores a message published twice with the same Nats-Msg-Id once', async () => {
  const env = stackEnv();
  const nc = await connect({ servers: env.NATS_URL.split(','), timeout: 5000 });
  const jsm = await nc.jetstreamManager();
  const stream = `SMOKE_${run.toUpperCase()}`;
  const subject = `smoke.${run}.fold`;
  try {
    await jsm.streams.add({ name: stream, subjects: [`smoke.${run}.>`], duplicate_window: nanos(60_000) });
    const js = nc.jetstream();
    const first = await js.publish(subject, new TextEncoder().encode('{"fold":0}'), {
      msgID: `${run}:fold:0`,
    });
    const second = await js.publish(subject, new TextEncoder().encode('{"fold":0}'), {
      msgID: `${run}:fold:0`,
    });
    assert.equal(first.duplicate, false);
    assert.equal(second.duplicate, true);
    assert.equal(second.seq, first.seq);
    const info = await jsm.streams.info(stream);
    assert.equal(info.state.messages, 1);
  } finally {
    await jsm.streams.delete(stream).catch(() => false);
    await nc.close();
  }
});
