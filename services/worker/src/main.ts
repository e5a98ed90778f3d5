import { loadWorkerConfig } from './config';
import { startWorker } from './worker';

async function main(): Promise<void> {
  let config;
  try {
    config = loadWorkerConfig();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const worker = await startWorker(config);
  let signals = 0;
  const stop = (sig: string) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    process.stderr.write(`received ${sig}: finishing running folds (send again to exit at once)\n`);
    void worker.shutdown().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await worker.done;
}

main().catch((err: unknown) => {
  process.stderr.write(
    `foldwise worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
