export {
  connectEvents,
  connectEventsLazily,
  From,
  type EventsConnection,
  type EventsOptions,
  type SubscribeOptions,
} from './connection';
export {
  createBufferedPublisher,
  type BufferOptions,
  type BufferedPublisher,
  type EventPublisher,
  type PublisherStats,
} from './buffer';
export { consoleLogger, silentLogger, type EventsLogger } from './logger';
