export * from './space';
export * from './grid';
export * from './joint';
