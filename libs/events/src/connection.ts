import { readFileSync } from 'node:fs';
import {
  connect,
  consumerOpts,
  credsAuthenticator,
  Events as NatsStatus,
  JSONCodec,
  nanos,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import {
  EVENT_SUBJECT_PREFIX,
  FoldwiseEventSchema,
  eventMsgId,
  eventSubject,
  isTerminalEvent,
  type FoldwiseEvent,
} from '@foldwise/spec';
import { createBufferedPublisher, type EventPublisher, type PublisherStats } from './buffer';
import { consoleLogger, errorMessage, type EventsLogger } from './logger';

/** Where and how to connect to NATS JetStream. */
export interface EventsOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  url: string | string[];
  /** JetStream stream holding every search's events; created if missing. Default `FOLDWISE`. */
  streamName?: string;
  /** Window in which a repeated `Nats-Msg-Id` is dropped by the server. Default 5 minutes. */
  duplicateWindowMs?: number;
  /** How long events are kept (0 = forever). Default 7 days. */
  maxAgeMs?: number;
  /** Most events buffered while NATS is unreachable. Default 10,000. */
  maxBuffer?: number;
  /** How long one publish waits for its acknowledgement before it is retried. Default 2 s. */
  publishTimeoutMs?: number;
  /** Client name shown by the server. */
  name?: string;
  /** A NATS credentials file (JWT and NKey seed, as `nsc` writes it), read again at every (re)connect. */
  credsFile?: string;
  logger?: EventsLogger;
}

/** Where a subscription starts: the search's first event, or the next one published. */
export const From = { Start: 'start', Now: 'now' } as const;
/** One of the values of {@link From}. */
export type From = (typeof From)[keyof typeof From];

/** Options of {@link EventsConnection.subscribe}. */
export interface SubscribeOptions {
  from?: From;
  /** End after a `completed` or `failed` event has been delivered. Default true. */
  untilDone?: boolean;
  /** Ends the iteration when aborted. */
  signal?: AbortSignal;
  /** How long creating the consumer is retried while JetStream does not answer yet (a NATS server just restarted). Default 30 s. */
  retryMs?: number;
}

/** Errors of a JetStream request that a server coming back up answers later: worth retrying. */
const isTransient = (error: unknown): boolean =>
  /timeout|no responders|503|disconnect|connection closed|jetstream not enabled/i.test(errorMessage(error));

/** A connection to foldwise's event stream: a never-failing publisher and typed subscriptions. */
export interface EventsConnection extends EventPublisher {
  /** The buffered publisher (the same methods as the connection's own). */
  readonly publisher: EventPublisher;
  /** Whether the client is connected to a server right now. */
  readonly connected: boolean;
  /** A search's events in publish order through an ordered push consumer (nats-server 2.9+), validated; malformed messages are skipped and logged. */
  subscribe(searchId: string, opts?: SubscribeOptions): AsyncIterable<FoldwiseEvent>;
  /** Deletes a search's events from the stream; returns how many were removed. */
  purge(searchId: string): Promise<number>;
  /** Flushes for up to `flushTimeoutMs` (default 2 s), then closes the connection. */
  close(opts?: { flushTimeoutMs?: number }): Promise<void>;
  /** Counters of the publisher. */
  stats(): PublisherStats;
}

const codec = JSONCodec<unknown>();

interface Live {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

const ensureStream = async (
  jsm: JetStreamManager,
  opts: Required<Pick<EventsOptions, 'streamName' | 'duplicateWindowMs' | 'maxAgeMs'>>,
  logger: EventsLogger,
): Promise<void> => {
  const subject = `${EVENT_SUBJECT_PREFIX}.>`;
  try {
    const info = await jsm.streams.info(opts.streamName);
    if (!info.config.subjects?.includes(subject)) {
      logger.warn(
        { stream: opts.streamName, subjects: info.config.subjects },
        `events: stream exists without subject ${subject}`,
      );
    }
    return;
  } catch (error) {
    if (!/stream not found/i.test(errorMessage(error))) throw error;
  }
  try {
    await jsm.streams.add({
      name: opts.streamName,
      subjects: [subject],
      storage: StorageType.File,
      duplicate_window: nanos(opts.duplicateWindowMs),
      max_age: nanos(opts.maxAgeMs),
    });
  } catch (error) {
    if (!/already in use|stream name already/i.test(errorMessage(error))) throw error;
  }
};

const validate = (o: EventsOptions): void => {
  if (!o.url || (Array.isArray(o.url) && o.url.length === 0))
    throw new TypeError('url must name at least one NATS server');
  if (o.streamName !== undefined && !/^[A-Za-z0-9_-]+$/.test(o.streamName)) {
    throw new TypeError(
      `streamName must be letters, digits, '-' or '_' (got ${JSON.stringify(o.streamName)})`,
    );
  }
  for (const key of ['duplicateWindowMs', 'publishTimeoutMs'] as const) {
    const v = o[key];
    if (v !== undefined && !(Number.isFinite(v) && v > 0))
      throw new RangeError(`${key} must be a positive number of milliseconds (got ${v})`);
  }
  if (o.maxAgeMs !== undefined && !(Number.isFinite(o.maxAgeMs) && o.maxAgeMs >= 0)) {
    throw new RangeError(`maxAgeMs must be >= 0 milliseconds (got ${o.maxAgeMs})`);
  }
};

const open = (
  opts: EventsOptions,
  retryFirstConnect: boolean,
): { events: EventsConnection; ready: Promise<void> } => {
  validate(opts);
  const logger = opts.logger ?? consoleLogger;
  const streamOpts = {
    streamName: opts.streamName ?? 'FOLDWISE',
    duplicateWindowMs: opts.duplicateWindowMs ?? 5 * 60_000,
    maxAgeMs: opts.maxAgeMs ?? 7 * 24 * 3_600_000,
  };
  const publishTimeout = opts.publishTimeoutMs ?? 2_000;
  const sleeping = new Set<() => void>();
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        sleeping.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleeping.add(wake);
    });
  let live: Live | undefined;
  let streamReady = false;
  let closed = false;
  let connectedNow = false;
  let resolveReady!: () => void;
  let rejectReady!: (error: unknown) => void;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });

  const prepareStream = async (l: Live): Promise<void> => {
    if (streamReady) return;
    await ensureStream(l.jsm, streamOpts, logger);
    streamReady = true;
  };

  const publisher = createBufferedPublisher({
    logger,
    ...(opts.maxBuffer === undefined ? {} : { maxBuffer: opts.maxBuffer }),
    async send(event) {
      if (!live) throw new Error('not connected to NATS yet');
      await prepareStream(live);
      try {
        const ack = await live.js.publish(eventSubject(event.searchId, event.kind), codec.encode(event), {
          msgID: eventMsgId(event),
          timeout: publishTimeout,
        });
        return { duplicate: ack.duplicate };
      } catch (error) {
        if (/no responders|503|stream not found/i.test(errorMessage(error))) streamReady = false;
        throw error;
      }
    },
  });

  const watch = async (nc: NatsConnection): Promise<void> => {
    for await (const s of nc.status()) {
      if (s.type === NatsStatus.Disconnect) connectedNow = false;
      if (s.type === NatsStatus.Reconnect) {
        connectedNow = true;
        publisher.wake();
      }
    }
  };

  const dial = (): Promise<NatsConnection> =>
    connect({
      servers: opts.url,
      name: opts.name ?? 'foldwise',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      ...(opts.credsFile ? { authenticator: credsAuthenticator(() => readFileSync(opts.credsFile!)) } : {}),
    });

  const start = async (): Promise<void> => {
    let nc: NatsConnection | undefined;
    for (let backoff = 250; !nc; backoff = Math.min(backoff * 2, 5_000)) {
      if (closed) throw new Error('events: closed before connecting');
      try {
        nc = await dial();
      } catch (error) {
        if (!retryFirstConnect) throw error;
        if (backoff === 250)
          logger.warn({ error: errorMessage(error) }, 'events: NATS unreachable; buffering and retrying');
        await sleep(backoff);
      }
    }
    if (closed) {
      await nc.close();
      throw new Error('events: closed before connecting');
    }
    const l: Live = { nc, js: nc.jetstream(), jsm: await nc.jetstreamManager() };
    // close() may have run while the JetStream manager was being created: it found no live connection to close.
    if (closed) {
      await nc.close();
      throw new Error('events: closed before connecting');
    }
    live = l;
    connectedNow = true;
    void watch(nc).catch((error: unknown) =>
      logger.error({ error: errorMessage(error) }, 'events: status watcher failed'),
    );
    for (let backoff = 250; !closed; backoff = Math.min(backoff * 2, 5_000)) {
      try {
        await prepareStream(l);
        break;
      } catch (error) {
        if (!retryFirstConnect) throw error;
        logger.warn({ error: errorMessage(error) }, 'events: cannot create the stream yet; retrying');
        await sleep(backoff);
      }
    }
    publisher.wake();
  };
  start().then(resolveReady, rejectReady);

  const subscribe = (searchId: string, sub: SubscribeOptions = {}): AsyncIterable<FoldwiseEvent> => {
    const subject = eventSubject(searchId);
    const from = sub.from ?? From.Start;
    if (from !== From.Start && from !== From.Now)
      throw new TypeError(`from must be 'start' or 'now' (got ${JSON.stringify(from)})`);
    const untilDone = sub.untilDone ?? true;
    return {
      async *[Symbol.asyncIterator]() {
        await ready;
        const l = live;
        if (!l) throw new Error('events: connection closed before it was established');
        const orderedConsumer = (): ReturnType<typeof consumerOpts> => {
          const consumer = consumerOpts();
          consumer.orderedConsumer();
          consumer.bindStream(streamOpts.streamName);
          if (from === From.Start) consumer.deliverAll();
          else consumer.deliverNew();
          return consumer;
        };
        const open = async (): Promise<Awaited<ReturnType<JetStreamClient['subscribe']>>> => {
          const retryUntil = Date.now() + (sub.retryMs ?? 30_000);
          for (let backoff = 250; ; backoff = Math.min(backoff * 2, 4_000)) {
            try {
              await prepareStream(l);
              return await l.js.subscribe(subject, orderedConsumer());
            } catch (error) {
              if (!isTransient(error) || closed || sub.signal?.aborted || Date.now() + backoff > retryUntil)
                throw error;
              if (/no responders|503/i.test(errorMessage(error))) streamReady = false;
              logger.warn(
                { searchId, error: errorMessage(error) },
                'events: JetStream not answering yet; retrying the subscription',
              );
              await sleep(backoff);
            }
          }
        };
        const messages = await open();
        const onAbort = (): void => messages.unsubscribe();
        sub.signal?.addEventListener('abort', onAbort, { once: true });
        try {
          if (sub.signal?.aborted) return;
          for await (const m of messages) {
            let raw: unknown;
            try {
              raw = codec.decode(m.data);
            } catch (error) {
              logger.warn(
                { subject: m.subject, seq: m.seq, error: errorMessage(error) },
                'events: skipped a message that is not JSON',
              );
              continue;
            }
            const parsed = FoldwiseEventSchema.safeParse(raw);
            if (!parsed.success) {
              const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
              logger.warn({ subject: m.subject, seq: m.seq, issues }, 'events: skipped a malformed event');
              continue;
            }
            yield parsed.data;
            if (untilDone && isTerminalEvent(parsed.data)) return;
          }
        } finally {
          sub.signal?.removeEventListener('abort', onAbort);
          messages.unsubscribe();
        }
      },
    };
  };

  const events: EventsConnection = {
    publisher,
    get connected() {
      return connectedNow;
    },
    publish: (event) => publisher.publish(event),
    flush: (timeoutMs) => publisher.flush(timeoutMs),
    stats: () => publisher.stats(),
    subscribe,
    async purge(searchId) {
      await ready;
      if (!live) throw new Error('events: not connected');
      const r = await live.jsm.streams.purge(streamOpts.streamName, { filter: eventSubject(searchId) });
      return r.purged;
    },
    async close(closeOpts = {}) {
      if (closed) return;
      await publisher.flush(closeOpts.flushTimeoutMs ?? 2_000);
      closed = true;
      publisher.stop();
      for (const wake of [...sleeping]) wake();
      const l = live;
      live = undefined;
      connectedNow = false;
      if (l) await l.nc.close();
    },
  };
  return { events, ready };
};

/** Connects to NATS (failing if it is unreachable now), creates the stream if missing, and returns the connection. */
export const connectEvents = async (opts: EventsOptions): Promise<EventsConnection> => {
  const { events, ready } = open(opts, false);
  try {
    await ready;
  } catch (error) {
    await events.close({ flushTimeoutMs: 0 }).catch(() => undefined);
    throw error;
  }
  return events;
};

/** Returns a connection at once; it connects (and creates the stream) in the background, buffering events meanwhile. */
export const connectEventsLazily = (opts: EventsOptions): EventsConnection => {
  const { events, ready } = open(opts, true);
  ready.catch((error: unknown) => {
    if (!/closed before connecting/.test(errorMessage(error))) {
      (opts.logger ?? consoleLogger).error({ error: errorMessage(error) }, 'events: connection failed');
    }
  });
  return events;
};
