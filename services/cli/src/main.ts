import { run } from './program';

const flush = (s: NodeJS.WriteStream): Promise<void> => new Promise((ok) => s.write('', () => ok()));

void run(process.argv.slice(2)).then(async (code) => {
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  process.exit(code);
});
