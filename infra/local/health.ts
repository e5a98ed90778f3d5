import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { connect } from 'nats';

/** Result of one health probe: ok, or the reason it failed. */
export type Probe = { ok: true } | { ok: false; reason: string };

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Asks Temporal's frontend for system info and the namespace, the way a client would. */
export async function probeTemporal(address: string, namespace: string): Promise<Probe> {
  let conn: Connection | undefined;
  try {
    conn = await Connection.connect({ address, connectTimeout: 1500 });
    await conn.workflowService.getSystemInfo({});
    await conn.workflowService.describeNamespace({ namespace });
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  } finally {
    await conn?.close().catch(() => undefined);
  }
}

/** Sends `ping` through the official mongodb driver. */
export async function probeMongo(uri: string): Promise<Probe> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1500, connectTimeoutMS: 1500 });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Connects to NATS and reads the JetStream account info (fails when JetStream is off). */
export async function probeJetStream(url: string): Promise<Probe> {
  try {
    const nc = await connect({ servers: url.split(','), timeout: 1500, reconnect: false });
    try {
      const jsm = await nc.jetstreamManager({ timeout: 1500 });
      await jsm.getAccountInfo();
      return { ok: true };
    } finally {
      await nc.close();
    }
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  }
}
