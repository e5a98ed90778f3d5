import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { FoldwiseClient, SubmissionError, type SearchHandle } from '@foldwise/sdk';
import {
  formatIssues,
  searchSpecJsonSchema,
  validateSearchSpec,
  SearchStatus,
  type SearchResult,
  type SearchSpec,
} from '@foldwise/spec';
// eslint-disable-next-line @nx/enforce-module-boundaries -- infra/local is tooling (the local stack), not a workspace library
import { StackConfigError, down, status as stackStatus, up } from '../../../infra/local';
import { connectionEnv, endpointsOf, repoRoot, withConnectionFlags, type ConnectionFlags } from './env';
import { CliError, ExitCode, requireReachable, type Endpoint } from './errors';
import { ExportFormat, ExportWhat, toCsv, toJsonl } from './export';
import { formatComparison, formatLeaderboard, resultJson, table } from './output';
import { buildReport } from './report/build';
import { collectReportData } from './report/collect';
import { readSpecFile, readSpecText } from './spec-file';
import { cliVersion } from './version';
import { bestLine, watchSearch, type WatchOptions } from './watch';
import { gpuWorkerEnvs, startWorkerChild, workersPolling, type WorkerChild } from './worker';

/** Where the CLI writes; replaced in tests. */
export interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Reads all of standard input (`submit -`); default: the process's. */
  stdin?: () => string;
}

const positiveInt =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${name} must be a positive integer (got ${JSON.stringify(v)})`);
    return n;
  };

const line = (s: NodeJS.WritableStream, text: string): void => {
  s.write(`${text}\n`);
};

interface Session {
  client: FoldwiseClient;
  env: NodeJS.ProcessEnv;
}

async function connect(
  env: NodeJS.ProcessEnv,
  opts: { nats?: boolean; dataRoots?: string[] } = {},
): Promise<Session> {
  const ep = endpointsOf(env);
  const needed: Endpoint[] = [ep.temporal, ep.mongodb, ...(opts.nats ? [ep.nats] : [])];
  await requireReachable(needed);
  try {
    const client = await FoldwiseClient.connect({
      env,
      ...(opts.dataRoots ? { allowedDataRoots: opts.dataRoots } : {}),
    });
    return { client, env };
  } catch (err) {
    throw new CliError(`cannot connect: ${(err as Error).message}`, ExitCode.Unreachable);
  }
}

async function withClient<T>(
  env: NodeJS.ProcessEnv,
  fn: (s: Session) => Promise<T>,
  opts: { nats?: boolean; dataRoots?: string[] } = {},
): Promise<T> {
  const s = await connect(env, opts);
  try {
    return await fn(s);
  } finally {
    await s.client.close().catch(() => undefined);
  }
}

async function existing(client: FoldwiseClient, id: string): Promise<SearchHandle> {
  if (!(await client.exists(id)))
    throw new CliError(`search ${id}: not found (no workflow with this id)`, ExitCode.InvalidInput);
  return client.get(id);
}

/** The handle of a search whose workflow still runs; a finished one cannot be paused, resumed, extended or cancelled. */
async function running(client: FoldwiseClient, id: string, command: string): Promise<SearchHandle> {
  const handle = await existing(client, id);
  const { status } = await handle.workflow.describe();
  if (status.name !== 'RUNNING')
    throw new CliError(
      `search ${id}: has ended (${status.name.toLowerCase()}); nothing to ${command}`,
      ExitCode.InvalidInput,
    );
  return handle;
}

function parseSpec(file: string, stdin?: () => string): SearchSpec {
  const input = file === '-' && stdin ? readSpecText(stdin(), '<stdin>') : readSpecFile(file);
  const r = validateSearchSpec(input);
  if (!r.success) throw new SubmissionError(r.issues);
  return r.data;
}

/** 0 for a search that completed with at least one completed trial; 1 otherwise (failed, cancelled, or every trial failed). */
const outcomeCode = (r: SearchResult | undefined): ExitCode =>
  r?.status === 'completed' && (r.best !== undefined || r.counts.completed > 0)
    ? ExitCode.Ok
    : ExitCode.SearchFailed;

function watchMode(io: Io, json: boolean): WatchOptions['mode'] {
  const tty = Boolean(io.out.isTTY && io.err.isTTY);
  if (tty) return 'bars';
  return json ? 'none' : 'json';
}

async function follow(
  io: Io,
  handle: SearchHandle,
  opts: { mode: WatchOptions['mode']; json: boolean; from: 'start' | 'now' },
): Promise<ExitCode> {
  const outcome = await watchSearch(handle, { mode: opts.mode, from: opts.from, out: io.out, err: io.err });
  if (outcome.error !== undefined) throw outcome.error;
  const r = outcome.result;
  if (opts.json && r) line(io.out, JSON.stringify(resultJson(r)));
  else if (opts.mode === 'bars' && r) printResult(io, r);
  const code = outcomeCode(r);
  if (code !== ExitCode.Ok && r) line(io.err, noSuccess(r));
  return code;
}

function noSuccess(r: SearchResult): string {
  const why = r.leaderboard.find((t) => t.error)?.error;
  return r.status === 'completed'
    ? `search ${r.searchId}: no trial completed (${r.counts.failed} failed${why ? `; first error: ${why}` : ''})`
    : `search ${r.searchId}: ${r.status}`;
}

function printResult(io: Io, r: SearchResult): void {
  const metric = r.best?.metric ?? r.comparison?.metric ?? 'score';
  line(
    io.out,
    `search ${r.searchId}: ${r.status} (${r.counts.completed} trials completed, ${r.counts.pruned} pruned, ${r.counts.failed} failed; ${r.counts.foldsRun} folds run)`,
  );
  line(io.out, '');
  line(io.out, formatLeaderboard(resultJson(r).leaderboard, metric));
  line(io.out, '');
  line(io.out, `best: ${bestLine(r.best)}`);
  if (r.comparison) line(io.out, `verdict: ${r.comparison.verdict}`);
  if (r.refit?.testMetrics) {
    line(
      io.out,
      `held-out test: ${Object.entries(r.refit.testMetrics)
        .map(([k, v]) => `${k} ${v.toFixed(4)}`)
        .join(', ')}`,
    );
  }
}

async function writeReport(client: FoldwiseClient, id: string, file: string): Promise<string> {
  const data = await collectReportData(client, id);
  const html = await buildReport(data);
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, html);
  return path;
}

/** `foldwise stack status`'s table; exit 3 unless every service answers. */
async function printStackStatus(io: Io): Promise<void> {
  const s = await stackStatus({ env: io.env });
  line(
    io.out,
    table(
      ['service', 'state', 'address', 'pid', 'note'],
      s.services.map((x) => [
        x.name,
        x.state,
        x.url,
        x.pid === undefined ? '' : String(x.pid),
        x.reason ?? '',
      ]),
    ),
  );
  if (s.env) line(io.out, `ui       ${s.env.TEMPORAL_UI_URL}`);
  line(io.out, `env      ${s.env ? s.envFile : 'absent: run foldwise stack up'}`);
  const notUp = s.services.filter((x) => x.state !== 'running' && x.state !== 'external');
  if (!s.env || notUp.length > 0) {
    throw new CliError(
      `not running: ${notUp.map((d) => d.name).join(', ') || 'env.json absent'}`,
      ExitCode.Unreachable,
    );
  }
}

/** `foldwise status <id>`: where a search stands, live from its workflow while it runs, else as stored. */
async function searchStatus(client: FoldwiseClient, id: string): Promise<Record<string, unknown>> {
  const doc = await client.store.searches.get(id);
  const known = doc !== null || (await client.exists(id));
  if (!known) throw new CliError(`search ${id}: not found`, ExitCode.InvalidInput);
  const running = doc === null || doc.status === 'running' || doc.status === 'paused';
  const live = running
    ? await client
        .get(id)
        .status()
        .catch(() => undefined)
    : undefined;
  const counts = doc?.counts;
  return {
    searchId: id,
    name: doc?.name ?? null,
    status: live ? (live.paused ? 'paused' : 'running') : (doc?.status ?? 'running'),
    phase: live?.phase ?? null,
    budget:
      live?.budget ?? (doc?.spec as { budget?: { trials?: number } } | undefined)?.budget?.trials ?? null,
    trials: live
      ? { completed: live.completed, pruned: live.pruned, failed: live.failed, inFlight: live.inFlight }
      : {
          completed: counts?.trialsCompleted ?? 0,
          pruned: counts?.trialsPruned ?? 0,
          failed: counts?.trialsFailed ?? 0,
          inFlight: 0,
        },
    folds: live
      ? { done: live.foldsDone, total: live.foldsTotal }
      : { done: counts?.foldsCompleted ?? 0, total: counts?.folds ?? 0 },
    best: live?.best ?? doc?.best ?? null,
    createdAt: doc?.createdAt ?? null,
    updatedAt: doc?.updatedAt ?? null,
  };
}

function printSearchStatus(io: Io, s: Record<string, unknown>): void {
  const t = s['trials'] as { completed: number; pruned: number; failed: number; inFlight: number };
  const f = s['folds'] as { done: number; total: number };
  const rows: [string, string][] = [
    ['search', String(s['searchId'])],
    ['name', String(s['name'] ?? '–')],
    ['status', `${String(s['status'])}${s['phase'] ? ` (${String(s['phase'])})` : ''}`],
    [
      'trials',
      `${t.completed} completed, ${t.pruned} pruned, ${t.failed} failed, ${t.inFlight} in flight${s['budget'] !== null ? ` of ${String(s['budget'])}` : ''}`,
    ],
    ['folds', `${f.done}/${f.total}`],
    ['best', bestLine((s['best'] ?? undefined) as Parameters<typeof bestLine>[0])],
    ['created', String(s['createdAt'] ?? '–')],
  ];
  for (const [k, v] of rows) line(io.out, `${k.padEnd(8)} ${v}`);
}

/** The built examples beside the bundle, else the repository's. */
const examplesDir = (): string =>
  existsSync(join(__dirname, 'examples')) ? join(__dirname, 'examples') : resolve(repoRoot, 'examples');

/** The `foldwise` command, writing to `io`; `run` parses and executes it. */
export function buildProgram(io: Io, setCode: (c: ExitCode) => void): Command {
  const program = new Command('foldwise')
    .description(
      'foldwise: distributed hyperparameter search and model comparison with cross-validation and statistics',
    )
    .version(cliVersion(), '-V, --version', 'print the version of foldwise')
    .option('--address <host:port>', 'Temporal frontend address (over TEMPORAL_ADDRESS)')
    .option('--namespace <name>', 'Temporal namespace (over TEMPORAL_NAMESPACE)')
    .option(
      '--mongodb-uri <uri>',
      'MongoDB connection string; a database in its path is used (over MONGODB_URI)',
    )
    .option('--nats-url <url>', 'NATS server (over NATS_URL)')
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) })
    .exitOverride()
    .showHelpAfterError();

  /** The environment commands connect with: flags over variables over the local stack's env.json. */
  const env = (): NodeJS.ProcessEnv =>
    connectionEnv(withConnectionFlags(io.env, program.opts<ConnectionFlags>()));
  const renamed = (old: string, now: string): void =>
    line(io.err, `foldwise: '${old}' is now '${now}'; the old spelling still works for now`);

  const stack = program
    .command('stack')
    .description(
      'the local stack: Temporal dev server, FerretDB and NATS JetStream, for trying foldwise on one machine',
    );
  const stackUp = async (): Promise<void> => {
    const started = await up({ log: (l) => line(io.out, l), env: io.env });
    line(io.out, `Temporal UI ${started.TEMPORAL_UI_URL}`);
  };
  const stackDown = async (): Promise<void> => {
    await down({ log: (l) => line(io.out, l), env: io.env });
  };
  stack
    .command('up')
    .description('build the servers once, start what is not running, wait until each answers, write env.json')
    .action(stackUp);
  stack.command('down').description('stop the processes the local stack started').action(stackDown);
  stack
    .command('status')
    .description('show each local service and whether it answers; exit 3 unless all do')
    .action(() => printStackStatus(io));
  program
    .command('up', { hidden: true })
    .description('old spelling of stack up')
    .action(async () => {
      renamed('foldwise up', 'foldwise stack up');
      await stackUp();
    });
  program
    .command('down', { hidden: true })
    .description('old spelling of stack down')
    .action(async () => {
      renamed('foldwise down', 'foldwise stack down');
      await stackDown();
    });

  program
    .command('status')
    .description(
      'show where a search stands (trials, folds, best so far); without an id, the old spelling of stack status',
    )
    .argument('[id]', 'search id')
    .option('--json', 'print as one JSON document')
    .action(async (id: string | undefined, o: { json?: boolean }) => {
      if (id === undefined) {
        renamed('foldwise status', 'foldwise stack status');
        return printStackStatus(io);
      }
      await withClient(env(), async ({ client }) => {
        const s = await searchStatus(client, id);
        if (o.json) line(io.out, JSON.stringify(s));
        else printSearchStatus(io, s);
      });
    });

  program
    .command('worker')
    .description('run a worker (services/worker) against the configured stack until interrupted')
    .addOption(
      new Option('--pool <pool>', 'resource pool whose task queue it serves')
        .choices(['cpu', 'gpu'])
        .default('cpu'),
    )
    .option('--slots <n>', 'folds trained at once', positiveInt('--slots'))
    .action(async (o: { pool: 'cpu' | 'gpu'; slots?: number }) => {
      if (o.pool === 'gpu' && o.slots !== undefined && o.slots !== 1) {
        throw new CliError(
          `--slots: a gpu pool trains one fold per GPU (got ${o.slots}); it starts one worker for each visible GPU`,
          ExitCode.InvalidInput,
        );
      }
      const workerEnv = env();
      const ep = endpointsOf(workerEnv);
      await requireReachable([ep.temporal, ep.mongodb]);
      const gpus = o.pool === 'gpu' ? (await import('@foldwise/models')).visibleGpus(workerEnv) : [];
      const envs = o.pool === 'gpu' ? gpuWorkerEnvs(gpus, workerEnv) : [workerEnv];
      if (envs.length > 1)
        line(io.err, `starting ${envs.length} gpu workers, one per GPU (${gpus.join(', ')})`);
      const children = envs.map((e) =>
        startWorkerChild({ pool: o.pool, slots: o.pool === 'gpu' ? 1 : o.slots, env: e, stdio: 'inherit' }),
      );
      const forward = (sig: NodeJS.Signals) => () => children.forEach((c) => c.proc.kill(sig));
      const onInt = forward('SIGINT');
      const onTerm = forward('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      const codes = await Promise.all(children.map((c) => c.exited));
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      const code = codes.find((c) => c !== 0);
      if (code !== undefined)
        throw new CliError(
          `worker exited with ${code}`,
          code === 2 ? ExitCode.InvalidInput : ExitCode.SearchFailed,
        );
    });

  program
    .command('submit')
    .description('validate a search spec (YAML or JSON), stage its data and start the search')
    .argument('<spec>', "spec file, or '-' to read it from standard input")
    .option('--watch', 'follow progress until the search ends (bars in a terminal, JSON lines otherwise)')
    .option('--json', 'wait for the result and print it as one JSON document')
    .option('--search-id <id>', 'fixed search id (submitting the same id again starts nothing)')
    .action(async (file: string, o: { watch?: boolean; json?: boolean; searchId?: string }) => {
      const spec = parseSpec(file, io.stdin);
      const roots =
        io.env['FOLDWISE_DATA_ROOTS']?.split(',') ??
        (file === '-' ? [process.cwd()] : [dirname(resolve(file)), process.cwd()]);
      await withClient(
        env(),
        async ({ client }) => {
          const handle = await client.submit(spec, o.searchId ? { searchId: o.searchId } : {});
          if (!o.watch && !o.json) {
            line(io.out, handle.searchId);
            if (io.out.isTTY) line(io.err, `follow it with: foldwise watch ${handle.searchId}`);
            return;
          }
          if (io.err.isTTY) line(io.err, `search ${handle.searchId}`);
          setCode(
            await follow(io, handle, {
              mode: o.watch ? watchMode(io, Boolean(o.json)) : 'none',
              json: Boolean(o.json),
              from: 'start',
            }),
          );
        },
        { nats: Boolean(o.watch), dataRoots: roots },
      );
    });

  program
    .command('watch')
    .description('follow a search until it ends (bars in a terminal, JSON lines otherwise)')
    .argument('<id>', 'search id')
    .option('--json', 'print the final result as one JSON document')
    .action(async (id: string, o: { json?: boolean }) => {
      await withClient(
        env(),
        async ({ client }) => {
          const handle = await existing(client, id);
          setCode(
            await follow(io, handle, {
              mode: watchMode(io, Boolean(o.json)),
              json: Boolean(o.json),
              from: 'start',
            }),
          );
        },
        { nats: true },
      );
    });

  program
    .command('leaderboard')
    .description('the trials of a search, best first, from MongoDB')
    .argument('<id>', 'search id')
    .option('--json', 'print as one JSON document')
    .action(async (id: string, o: { json?: boolean }) => {
      await withClient(env(), async ({ client }) => {
        const doc = await client.store.searches.get(id);
        if (!doc) throw new CliError(`search ${id}: not found in MongoDB`, ExitCode.InvalidInput);
        const rows = await client.get(id).leaderboard();
        const metric = (doc.spec as { metrics?: { primary?: string } }).metrics?.primary ?? 'score';
        if (o.json)
          line(
            io.out,
            JSON.stringify({
              searchId: id,
              status: doc.status,
              metric,
              leaderboard: rows,
              ...(doc.pareto !== undefined ? { pareto: doc.pareto } : {}),
            }),
          );
        else line(io.out, formatLeaderboard(rows, metric));
      });
    });

  program
    .command('compare')
    .description('compare the top configurations of a search on their shared folds')
    .argument('<id>', 'search id')
    .option('--top-k <n>', 'configurations to compare', positiveInt('--top-k'))
    .option('--json', 'print as one JSON document')
    .action(async (id: string, o: { topK?: number; json?: boolean }) => {
      await withClient(env(), async ({ client }) => {
        if (!(await client.store.searches.get(id)))
          throw new CliError(`search ${id}: not found in MongoDB`, ExitCode.InvalidInput);
        const c = await client.get(id).compare(o.topK !== undefined ? { topK: o.topK } : {});
        if (o.json) line(io.out, JSON.stringify({ searchId: id, comparison: c ?? null }));
        else
          line(
            io.out,
            c ? formatComparison(c) : 'fewer than two trials completed every fold: nothing to compare',
          );
      });
    });

  program
    .command('report')
    .description('write the self-contained HTML report of a search')
    .argument('<id>', 'search id')
    .option('-o, --output <file>', 'HTML file to write (default <id>.html in the current directory)')
    .action(async (id: string, o: { output?: string }) => {
      await withClient(env(), async ({ client }) => {
        if (!(await client.store.searches.get(id)))
          throw new CliError(`search ${id}: not found in MongoDB`, ExitCode.InvalidInput);
        const path = await writeReport(client, id, o.output ?? `${id}.html`);
        line(io.out, path);
      });
    });

  program
    .command('export')
    .description('one row per fold (or trial) of a search, for pandas, DuckDB or a spreadsheet')
    .argument('<id>', 'search id')
    .addOption(
      new Option('--format <format>', 'CSV with a header, or JSON lines')
        .choices(Object.values(ExportFormat))
        .default(ExportFormat.Csv),
    )
    .addOption(
      new Option('--what <rows>', 'a row per fold, or per trial (its fold aggregates)')
        .choices(Object.values(ExportWhat))
        .default(ExportWhat.Folds),
    )
    .option('-o, --output <file>', 'file to write (default: standard output)')
    .action(async (id: string, o: { format: ExportFormat; what: ExportWhat; output?: string }) => {
      await withClient(env(), async ({ client }) => {
        if (!(await client.store.searches.get(id)))
          throw new CliError(`search ${id}: not found in MongoDB`, ExitCode.InvalidInput);
        const search = client.get(id);
        const rows: Record<string, unknown>[] = [];
        for await (const r of o.what === ExportWhat.Trials ? search.trials() : search.folds()) rows.push(r);
        const text = o.format === ExportFormat.Jsonl ? toJsonl(rows) : toCsv(rows);
        if (!o.output) return void io.out.write(text);
        const path = resolve(o.output);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, text);
        line(io.err, `wrote ${rows.length} ${o.what} to ${path}`);
      });
    });

  const control = (name: string, what: string, act: (h: SearchHandle) => Promise<string>): void => {
    program
      .command(name)
      .description(what)
      .argument('<id>', 'search id')
      .action(async (id: string) => {
        await withClient(env(), async ({ client }) =>
          line(io.out, await act(await running(client, id, name))),
        );
      });
  };
  control('cancel', 'cancel a search (running folds stop within one heartbeat)', async (h) => {
    await h.cancel();
    return `${h.searchId}: cancellation requested`;
  });
  control('pause', 'stop launching new trials (running ones finish)', async (h) => {
    await h.pause();
    return `${h.searchId}: paused`;
  });
  control('resume', 'launch trials again after a pause', async (h) => {
    await h.resume();
    return `${h.searchId}: resumed`;
  });
  program
    .command('extend')
    .description('add N trials to the budget of a running search')
    .argument('<id>', 'search id')
    .argument('<n>', 'trials to add', positiveInt('N'))
    .action(async (id: string, n: number) => {
      await withClient(env(), async ({ client }) => {
        const budget = await (await running(client, id, 'extend')).extendBudget(n);
        line(io.out, `${id}: budget is now ${budget} trials`);
      });
    });

  program
    .command('schema')
    .description(
      'the JSON Schema of a search spec, for editors (YAML language servers, VS Code json.schemas)',
    )
    .option('-o, --out <file>', 'write it to this file instead of standard output')
    .action((o: { out?: string }) => {
      const text = `${JSON.stringify(searchSpecJsonSchema(), null, 2)}\n`;
      if (!o.out) return void io.out.write(text);
      const path = resolve(o.out);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      line(io.out, `wrote the spec's JSON Schema to ${path}`);
    });

  program
    .command('list')
    .description('searches recorded in MongoDB, newest first')
    .option('--limit <n>', 'most searches to show', positiveInt('--limit'), 20)
    .addOption(
      new Option('--status <status>', 'only searches in this state').choices(Object.values(SearchStatus)),
    )
    .option('--json', 'print as one JSON document')
    .action(async (o: { limit: number; status?: SearchStatus; json?: boolean }) => {
      await withClient(env(), async ({ client }) => {
        const docs = await client.list({ limit: o.limit, ...(o.status ? { status: o.status } : {}) });
        if (o.json) {
          line(
            io.out,
            JSON.stringify(
              docs.map((d) => ({
                searchId: d._id,
                name: d.name,
                status: d.status,
                counts: d.counts,
                best: d.best ?? null,
                createdAt: d.createdAt,
              })),
            ),
          );
          return;
        }
        if (docs.length === 0) return line(io.out, 'no searches yet');
        line(
          io.out,
          table(
            ['search', 'status', 'trials', 'best', 'created'],
            docs.map((d) => [
              d._id,
              d.status,
              `${d.counts.trialsCompleted}/${d.counts.trials}`,
              d.best ? `${d.best.metric} ${d.best.score.toFixed(4)} (${d.best.model})` : '–',
              d.createdAt,
            ]),
          ),
        );
      });
    });

  program
    .command('demo')
    .description(
      'start the stack and a worker if needed, run examples/digits.yaml end to end, print the leaderboard, write the report',
    )
    .option('--spec <file>', 'spec to run (default: the digits example)')
    .option(
      '-o, --output <file>',
      'HTML report to write (default reports/<search id>.html in the current directory)',
    )
    .option('--slots <n>', 'folds the demo worker trains at once', positiveInt('--slots'), 2)
    .action(async (o: { spec?: string; output?: string; slots: number }) => {
      setCode(await demo(io, env, { ...o, spec: o.spec ?? join(examplesDir(), 'digits.yaml') }));
    });

  return program;
}

async function demo(
  io: Io,
  connEnv: () => NodeJS.ProcessEnv,
  o: { spec: string; output?: string; slots: number },
): Promise<ExitCode> {
  const spec = parseSpec(o.spec);
  const say = (l: string): void => line(io.err, l);
  try {
    await requireReachable(Object.values(endpointsOf(connEnv())));
    say('stack: reachable');
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    say('stack: starting the local stack (the first time builds the servers; this takes a while)');
    await up({ log: say, env: io.env });
  }
  let worker: WorkerChild | undefined;
  const interrupted = (): void => {
    say('interrupted: stopping the demo worker');
    void (worker?.stop(10_000) ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    return await withClient(
      connEnv(),
      async ({ client, env }) => {
        if (await workersPolling(client.temporal, spec.pool)) {
          say(`worker: one is already polling ${spec.pool}; using it`);
        } else {
          say(`worker: starting one (${spec.pool} pool, ${o.slots} slots); it stops when the demo ends`);
          worker = startWorkerChild({
            pool: spec.pool,
            slots: o.slots,
            env: { ...env, FOLDWISE_METRICS_PORT: '0' },
            stdio: 'pipe',
          });
          await worker.ready;
        }
        const handle = await client.submit(spec, {
          searchId: `demo-${spec.name}-${Date.now().toString(36)}`,
        });
        say(`search: ${handle.searchId} (Temporal UI: ${env['TEMPORAL_UI_URL'] ?? 'see foldwise status'})`);
        const tty = Boolean(io.err.isTTY);
        const outcome = await watchSearch(handle, {
          mode: tty ? 'bars' : 'none',
          from: 'start',
          out: io.out,
          err: io.err,
        });
        if (outcome.error !== undefined) throw outcome.error;
        const r = outcome.result;
        if (r) printResult(io, r);
        const path = await writeReport(
          client,
          handle.searchId,
          o.output ?? join('reports', `${handle.searchId}.html`),
        );
        line(io.out, `report: ${path}`);
        line(io.out, `open ${pathToFileURL(path).href}`);
        const code = outcomeCode(r);
        if (code !== ExitCode.Ok && r) say(noSuccess(r));
        return code;
      },
      { nats: true },
    );
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    if (worker) {
      say('worker: stopping');
      await worker.stop(30_000);
    }
  }
}

/** Runs the CLI with `argv` (without node and script) and resolves to its exit code; never throws. */
export async function run(
  argv: string[],
  io: Io = {
    out: process.stdout,
    err: process.stderr,
    env: process.env,
    stdin: () => readFileSync(0, 'utf8'),
  },
): Promise<number> {
  let code: ExitCode = ExitCode.Ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    return reportError(io, err);
  }
}

function reportError(io: Io, err: unknown): number {
  if (err instanceof CommanderError) {
    if (
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
    )
      return ExitCode.Ok;
    return ExitCode.InvalidInput;
  }
  if (err instanceof SubmissionError) {
    line(io.err, formatIssues(err.issues));
    return ExitCode.InvalidInput;
  }
  if (err instanceof CliError) {
    line(io.err, err.message);
    return err.exitCode;
  }
  if (err instanceof StackConfigError) {
    line(io.err, err.message);
    return ExitCode.InvalidInput;
  }
  if (err instanceof WorkflowNotFoundError) {
    line(io.err, `search ${err.workflowId ?? ''}: not found`);
    return ExitCode.InvalidInput;
  }
  if (err instanceof WorkflowFailedError) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    line(io.err, `search failed${cause}`);
    return ExitCode.SearchFailed;
  }
  const e = err as Error & { code?: unknown };
  if (
    /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ServerSelection|UNAVAILABLE|Failed to connect/i.test(
      `${e?.name} ${e?.message}`,
    )
  ) {
    line(io.err, `infrastructure unreachable: ${e.message}`);
    return ExitCode.Unreachable;
  }
  line(io.err, `foldwise: ${e instanceof Error ? (e.stack ?? e.message) : String(err)}`);
  return ExitCode.SearchFailed;
}
