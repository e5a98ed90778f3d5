import { Command } from 'commander';
import { resolve } from 'node:path';
import { ensureGoTools, type ToolBuildTimes } from './binaries';
import { StackConfigError, type GoToolName, goTools } from './config';
import { down, status, up } from './stack';

const say = (line: string): void => console.log(line);

async function main(argv: string[]): Promise<void> {
  const program = new Command('stack')
    .description('foldwise local stack: Temporal dev server, FerretDB and NATS JetStream under .cache/stack')
    .showHelpAfterError();
  program
    .command('up')
    .description(
      'build the servers once, start what is not running, wait until each answers, write .cache/stack/env.json',
    )
    .action(async () => {
      await up({ log: say });
    });
  program
    .command('down')
    .description('stop exactly the processes the stack started')
    .action(async () => {
      await down({ log: say });
    });
  program
    .command('status')
    .description('show each service, its address and whether it answers; exit 1 unless all answer')
    .action(async () => {
      const s = await status();
      for (const svc of s.services) {
        const pid = svc.pid === undefined ? '' : ` pid ${svc.pid}`;
        const why = svc.reason === undefined ? '' : ` (${svc.reason})`;
        say(`${svc.name.padEnd(9)}${svc.state.padEnd(10)}${svc.url}${pid}${why}`);
      }
      if (s.env) say(`ui       ${s.env.TEMPORAL_UI_URL}`);
      say(`env      ${s.env ? s.envFile : 'absent: run npm run stack:up'}`);
      if (!s.env || s.services.some((x) => x.state !== 'running' && x.state !== 'external'))
        process.exitCode = 1;
    });
  program
    .command('tools')
    .argument('[names...]', `tools to build (default: all): ${Object.keys(goTools).join(', ')}`)
    .description(
      'build the Go tools of the rehearsal and the chart checks into .cache/bin once (cached by version)',
    )
    .action(async (names: string[]) => {
      const known = Object.keys(goTools);
      const unknown = names.filter((n) => !known.includes(n));
      if (unknown.length > 0)
        throw new StackConfigError(`tools: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
      const wanted = (names.length > 0 ? names : known) as GoToolName[];
      const times: ToolBuildTimes = {};
      const paths = await ensureGoTools(resolve(__dirname, '..', '..'), wanted, say, times);
      for (const n of wanted)
        say(`${n.padEnd(20)}${paths[n]} (${times[n] ? `built in ${times[n].toFixed(0)} s` : 'cached'})`);
    });
  await program.parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  const msg = err instanceof Error ? err.message : String(err);
  console.error(`stack: ${msg}`);
  process.exitCode = err instanceof StackConfigError ? 2 : 1;
});
