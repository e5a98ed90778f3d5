import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWorkerConfig } from './config';

test("foldwise's own variables carry the FOLDWISE_ prefix; the old names still work, each with a one-line notice", () => {
  const notices: string[] = [];
  const c = loadWorkerConfig(
    { METRICS_PORT: '9600', METRICS_HOST: '0.0.0.0', MONGODB_DB: 'old', LOG_LEVEL: 'warn' },
    (n) => notices.push(n),
  );
  assert.equal(c.FOLDWISE_METRICS_PORT, 9600);
  assert.equal(c.FOLDWISE_METRICS_HOST, '0.0.0.0');
  assert.equal(c.FOLDWISE_MONGODB_DB, 'old');
  assert.equal(c.FOLDWISE_LOG_LEVEL, 'warn');
  assert.deepEqual(notices, [
    'foldwise: MONGODB_DB is deprecated; set FOLDWISE_MONGODB_DB instead',
    'foldwise: METRICS_PORT is deprecated; set FOLDWISE_METRICS_PORT instead',
    'foldwise: METRICS_HOST is deprecated; set FOLDWISE_METRICS_HOST instead',
    'foldwise: LOG_LEVEL is deprecated; set FOLDWISE_LOG_LEVEL instead',
  ]);
  const both: string[] = [];
  assert.equal(
    loadWorkerConfig({ METRICS_PORT: '9600', FOLDWISE_METRICS_PORT: '9700' }, (n) => both.push(n))
      .FOLDWISE_METRICS_PORT,
    9700,
  );
  assert.match(both[0] ?? '', /both are set: FOLDWISE_METRICS_PORT is used/);
  const none: string[] = [];
  loadWorkerConfig({ FOLDWISE_METRICS_PORT: '9700' }, (n) => none.push(n));
  assert.deepEqual(none, []);
});

test('the database is FOLDWISE_MONGODB_DB, else the one in the MONGODB_URI path, else foldwise', () => {
  assert.equal(loadWorkerConfig({}).FOLDWISE_MONGODB_DB, 'foldwise');
  assert.equal(loadWorkerConfig({ MONGODB_URI: 'mongodb://h:27017/' }).FOLDWISE_MONGODB_DB, 'foldwise');
  assert.equal(
    loadWorkerConfig({ MONGODB_URI: 'mongodb://u:p@h:27017/research?tls=true' }).FOLDWISE_MONGODB_DB,
    'research',
  );
  assert.equal(
    loadWorkerConfig({ MONGODB_URI: 'mongodb+srv://c.example.net/research', FOLDWISE_MONGODB_DB: 'other' })
      .FOLDWISE_MONGODB_DB,
    'other',
  );
});

test("Temporal's connection comes from its environment configuration: address, namespace, API key and TLS", () => {
  const local = loadWorkerConfig({});
  assert.deepEqual(local.temporal, { address: '127.0.0.1:7233', namespace: 'default' });
  const cloud = loadWorkerConfig({
    TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
    TEMPORAL_NAMESPACE: 'ns.acct',
    TEMPORAL_API_KEY: 'secret',
  });
  assert.equal(cloud.TEMPORAL_ADDRESS, 'ns.acct.tmprl.cloud:7233');
  assert.equal(cloud.TEMPORAL_NAMESPACE, 'ns.acct');
  assert.equal(cloud.temporal.apiKey, 'secret');
  assert.equal(cloud.temporal.tls, true, 'an API key turns TLS on');
  const mtls = loadWorkerConfig({
    TEMPORAL_ADDRESS: 'temporal.internal:7233',
    TEMPORAL_TLS_CLIENT_CERT_DATA: 'CERT',
    TEMPORAL_TLS_CLIENT_KEY_DATA: 'KEY',
    TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
  });
  const tls = mtls.temporal.tls as {
    serverNameOverride?: string;
    clientCertPair?: { crt: Uint8Array; key: Uint8Array };
  };
  assert.equal(tls.serverNameOverride, 'temporal.internal');
  assert.equal(Buffer.from(tls.clientCertPair?.crt ?? []).toString(), 'CERT');
  assert.equal(Buffer.from(tls.clientCertPair?.key ?? []).toString(), 'KEY');
});
