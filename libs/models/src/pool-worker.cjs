// Bootstrap for trainer threads: registers tsx's CommonJS hook, then loads the TypeScript worker.
require('tsx/cjs');
require('./pool-worker.ts');
