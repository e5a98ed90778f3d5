import { loadWorkerConfig } from './config';
import { MetricsPortTaken } from './metrics-ports';
import { watchParent } from './parent';
import { startWorker } from './worker';

async function main(): Promise<void> {
  let config;
  try {
    config = loadWorkerConfig(process.env, (notice) => process.stderr.write(`${notice}\n`));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  let worker;
  try {
    const asked = process.env['FOLDWISE_METRICS_PORT'] || process.env['METRICS_PORT'] || '';
    worker = await startWorker(config, { metricsPortFixed: asked !== '' });
  } catch (err) {
    if (!(err instanceof MetricsPortTaken)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  const running = worker;
  let signals = 0;
  const stop = (why: string, again: string) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    process.stderr.write(`${why}: finishing running folds (${again})\n`);
    void running.shutdown().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('received SIGTERM', 'send again to exit at once'));
  process.on('SIGINT', () => stop('received SIGINT', 'send again to exit at once'));
  watchParent(() =>
    stop('the foldwise CLI that started this worker exited', 'send a signal to exit at once'),
  );
  await worker.done;
}

main().catch((err: unknown) => {
  process.stderr.write(
    `foldwise worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
