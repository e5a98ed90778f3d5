import { EventKind, FoldwiseEventSchema, isTerminalEvent, type FoldwiseEvent } from '@foldwise/spec';
import { errorMessage, type EventsLogger } from './logger';

/** Counters of a publisher since it was created. */
export interface PublisherStats {
  /** Events waiting to be sent (including one in flight). */
  queued: number;
  /** Events the server acknowledged. */
  published: number;
  /** Acknowledged events the server recognised as duplicates (same `Nats-Msg-Id`) and did not store again. */
  duplicates: number;
  /** Events discarded because the buffer was full. */
  dropped: number;
  /** Events refused because they did not match the event schema. */
  invalid: number;
  /** Failed send attempts (each is retried). */
  failures: number;
}

/** Publishes progress events without ever throwing or blocking the caller. */
export interface EventPublisher {
  /** Validates and queues an event; it is sent in order as soon as the server can take it. Never throws. */
  publish(event: FoldwiseEvent): void;
  /** Waits until every queued event is acknowledged; false if `timeoutMs` passes first. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Current counters. */
  stats(): PublisherStats;
}

/** The buffered publisher plus the hooks its transport drives. */
export interface BufferedPublisher extends EventPublisher {
  /** Retries now instead of waiting out the backoff (call on reconnect). */
  wake(): void;
  /** Stops sending; events still queued are abandoned. */
  stop(): void;
}

/** Options of {@link createBufferedPublisher}. */
export interface BufferOptions {
  /** Sends one event; resolves with whether the server saw it as a duplicate; rejects to be retried. */
  send(event: FoldwiseEvent): Promise<{ duplicate: boolean }>;
  /** Most events held while the server is unreachable; beyond it the oldest epoch event (else the oldest non-final one) is dropped. */
  maxBuffer?: number;
  /** First retry delay; doubles up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  logger: EventsLogger;
}

const pickVictim = (queue: readonly FoldwiseEvent[]): number => {
  const epoch = queue.findIndex((e) => e.kind === EventKind.Epoch);
  if (epoch >= 0) return epoch;
  const nonFinal = queue.findIndex((e) => !isTerminalEvent(e));
  return nonFinal >= 0 ? nonFinal : 0;
};

/** An in-order, bounded, retrying publish queue over any transport. */
export const createBufferedPublisher = (opts: BufferOptions): BufferedPublisher => {
  const maxBuffer = opts.maxBuffer ?? 10_000;
  if (!(Number.isInteger(maxBuffer) && maxBuffer > 0))
    throw new RangeError(`maxBuffer must be a positive integer (got ${maxBuffer})`);
  const minBackoff = opts.minBackoffMs ?? 100;
  const maxBackoff = opts.maxBackoffMs ?? 2_000;
  const queue: FoldwiseEvent[] = [];
  const counts = { published: 0, duplicates: 0, dropped: 0, invalid: 0, failures: 0 };
  let inFlight: FoldwiseEvent | undefined;
  let pumping = false;
  let stopped = false;
  let outage = false;
  let wakeUp: (() => void) | undefined;
  let drained: Array<() => void> = [];

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  const settleDrained = (): void => {
    if (queue.length > 0 || inFlight) return;
    const waiters = drained;
    drained = [];
    for (const w of waiters) w();
  };

  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    let backoff = minBackoff;
    try {
      while (!stopped && queue.length > 0) {
        const event = queue.shift() as FoldwiseEvent;
        inFlight = event;
        try {
          const ack = await opts.send(event);
          inFlight = undefined;
          counts.published++;
          if (ack.duplicate) counts.duplicates++;
          backoff = minBackoff;
          if (outage) {
            outage = false;
            opts.logger.warn({ queued: queue.length }, 'events: publishing again after an outage');
          }
        } catch (error) {
          inFlight = undefined;
          queue.unshift(event);
          counts.failures++;
          if (!outage) {
            outage = true;
            opts.logger.warn(
              { error: errorMessage(error), queued: queue.length },
              'events: publish failed; buffering and retrying',
            );
          }
          await pause(backoff);
          backoff = Math.min(backoff * 2, maxBackoff);
        }
      }
    } finally {
      pumping = false;
      settleDrained();
    }
  };

  const kick = (): void => {
    void pump().catch((error: unknown) =>
      opts.logger.error({ error: errorMessage(error) }, 'events: publisher loop failed'),
    );
  };

  return {
    publish(event) {
      try {
        const parsed = FoldwiseEventSchema.safeParse(event);
        if (!parsed.success) {
          counts.invalid++;
          const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
          opts.logger.error(
            { kind: (event as { kind?: unknown } | null)?.kind, issues },
            'events: invalid event not published',
          );
          return;
        }
        if (stopped) return;
        if (queue.length + (inFlight ? 1 : 0) >= maxBuffer) {
          queue.splice(pickVictim(queue), 1);
          counts.dropped++;
          if (counts.dropped === 1 || counts.dropped % 1000 === 0) {
            opts.logger.warn(
              { dropped: counts.dropped, maxBuffer },
              'events: buffer full; dropping the oldest progress events',
            );
          }
        }
        queue.push(parsed.data);
        kick();
      } catch (error) {
        opts.logger.error({ error: errorMessage(error) }, 'events: publish failed unexpectedly');
      }
    },
    flush(timeoutMs = 10_000) {
      if (queue.length === 0 && !inFlight) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          drained = drained.filter((w) => w !== onDrained);
          resolve(false);
        }, timeoutMs);
        function onDrained(): void {
          clearTimeout(timer);
          resolve(true);
        }
        drained.push(onDrained);
        wakeUp?.();
      });
    },
    stats: () => ({ queued: queue.length + (inFlight ? 1 : 0), ...counts }),
    wake() {
      wakeUp?.();
      if (!pumping && queue.length > 0) kick();
    },
    stop() {
      stopped = true;
      wakeUp?.();
    },
  };
};
