export * from './space';
export * from './search';
export * from './events';
export * from './results';
export * from './engine';
export * from './ids';
export * from './families';
