import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StackConfigError, defaultPorts, parseStackConfig } from './config';

test('an empty environment gives the documented default ports and reuses or starts NATS', () => {
  assert.deepEqual(parseStackConfig({}), {
    temporalPort: defaultPorts.FOLDWISE_TEMPORAL_PORT,
    temporalUiPort: defaultPorts.FOLDWISE_TEMPORAL_UI_PORT,
    mongoPort: defaultPorts.FOLDWISE_MONGO_PORT,
    nats: { mode: 'reuse-or-own', url: 'nats://127.0.0.1:4222', port: defaultPorts.FOLDWISE_NATS_PORT },
  });
});

test('a port that is not a number or is out of range is rejected naming its variable', () => {
  for (const [name, value, fragment] of [
    ['FOLDWISE_TEMPORAL_PORT', 'abc', 'must be a port number'],
    ['FOLDWISE_TEMPORAL_UI_PORT', '-1', 'must be a port number'],
    ['FOLDWISE_MONGO_PORT', '65536', 'must be between 1 and 65535'],
    ['FOLDWISE_NATS_PORT', '0', 'must be between 1 and 65535'],
  ] as const) {
    assert.throws(
      () => parseStackConfig({ [name]: value }),
      (err: unknown) =>
        err instanceof StackConfigError && err.message.includes(`${name}: ${fragment} (got "${value}")`),
      name,
    );
  }
});

test('NATS_URL selects reuse, FOLDWISE_NATS_PORT an own server, and setting both is an error', () => {
  assert.deepEqual(parseStackConfig({ NATS_URL: 'nats://10.0.0.1:4222' }).nats, {
    mode: 'reuse',
    url: 'nats://10.0.0.1:4222',
    explicit: true,
  });
  assert.deepEqual(parseStackConfig({ FOLDWISE_NATS_PORT: '5222' }).nats, { mode: 'own', port: 5222 });
  assert.throws(
    () => parseStackConfig({ NATS_URL: 'nats://127.0.0.1:4222', FOLDWISE_NATS_PORT: '5222' }),
    /NATS_URL and FOLDWISE_NATS_PORT/,
  );
  assert.throws(
    () => parseStackConfig({ NATS_URL: 'http://127.0.0.1:4222' }),
    /NATS_URL: must be a nats:\/\/ URL/,
  );
});

test('two services on the same port are rejected naming the later variable', () => {
  assert.throws(
    () => parseStackConfig({ FOLDWISE_MONGO_PORT: '7233' }),
    /FOLDWISE_MONGO_PORT: port 7233 is already taken by FOLDWISE_TEMPORAL_PORT/,
  );
});

test('an empty variable counts as unset', () => {
  assert.equal(
    parseStackConfig({ FOLDWISE_TEMPORAL_PORT: '' }).temporalPort,
    defaultPorts.FOLDWISE_TEMPORAL_PORT,
  );
});
