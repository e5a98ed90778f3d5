export * from './prng';
export * from './hash';
export * from './split';
export * from './space';
export * from './strategies';
export * from './schedulers';
export * from './racing';
