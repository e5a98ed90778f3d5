export * from './racer';
