import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import {
  InvalidSpecError,
  TaskQueue,
  validateSearchSpec,
  type ResolvedDataset,
  type SearchDoc,
  type SearchSpec,
  type SearchSpecInput,
  type SpecIssue,
  type SpecLimits,
} from '@foldwise/spec';
import {
  DATASETS_BUCKET,
  DatasetError,
  describeBuiltin,
  parseCsv,
  parseJsonl,
  resolveDataPath,
  stageDataset,
  validateForCv,
} from '@foldwise/datasets';
import { connectStore, type Store } from '@foldwise/store';
import { connectEventsLazily, type EventsConnection } from '@foldwise/events';
import { mongoDatabase, readClientEnv, temporalTarget } from './connection';
import { familyIssues } from './families';
import { SearchHandle } from './handle';

/**
 * Where the SDK finds Temporal, MongoDB and NATS; every field falls back to the environment (`clientEnvSchema`):
 * Temporal's connection as `@temporalio/envconfig` loads it (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
 * `TEMPORAL_API_KEY`, TLS certificates, profiles), `MONGODB_URI` (and the database in its path), `NATS_URL`,
 * `NATS_CREDS`.
 */
export interface ConnectOptions {
  /** Temporal frontend, default `TEMPORAL_ADDRESS`, the Temporal profile's, or 127.0.0.1:7233. */
  temporalAddress?: string;
  /** Temporal namespace, default `TEMPORAL_NAMESPACE`, the Temporal profile's, or `default`. */
  namespace?: string;
  /** MongoDB URI, default `MONGODB_URI` or mongodb://127.0.0.1:27017. */
  mongodbUri?: string;
  /** Database name, default `FOLDWISE_MONGODB_DB` (with the URI from the environment), the URI's path, or `foldwise`. */
  mongodbDb?: string;
  /** NATS URL, default `NATS_URL` or nats://127.0.0.1:4222. */
  natsUrl?: string;
  /** NATS credentials file, default `NATS_CREDS`. */
  natsCreds?: string;
  /** The environment to read instead of `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Folders that dataset paths in specs may point into; default the current directory (`FOLDWISE_DATA_ROOTS`, comma-separated). */
  allowedDataRoots?: string[];
  /** Limits on specs (trials, folds, parallelism, epochs). */
  limits?: Partial<SpecLimits>;
  /** Upsert the Foldwise* search attributes (they must be registered in the namespace). Default true. */
  searchAttributes?: boolean;
}

/** Options of `submit`. */
export interface SubmitOptions {
  /** A fixed search id makes submission idempotent: submitting it again returns the same search. */
  searchId?: string;
}

/** Thrown by `submit` for a spec or dataset that cannot run; nothing was started or written. */
export class SubmissionError extends Error {
  /** Every problem, each with its path in the spec. */
  readonly issues: SpecIssue[];
  constructor(issues: SpecIssue[]) {
    super(`invalid search:\n${issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'SubmissionError';
    this.issues = issues;
  }
}

/**
 * The foldwise client: submits searches and finds existing ones.
 *
 * @example
 * const client = await FoldwiseClient.connect();
 * const search = await client.submit(spec);
 * for await (const e of search.progress()) console.log(e.kind);
 * console.log((await search.result()).best);
 * await client.close();
 */
export class FoldwiseClient {
  private constructor(
    /** The Temporal client. */
    readonly temporal: Client,
    private readonly connection: Connection,
    /** The result store. */
    readonly store: Store,
    /** The progress stream. */
    readonly events: EventsConnection,
    private readonly options: Required<Pick<ConnectOptions, 'allowedDataRoots' | 'searchAttributes'>> & {
      limits: Partial<SpecLimits>;
    },
  ) {}

  /**
   * Connects to Temporal, MongoDB and NATS (NATS lazily: progress is optional).
   *
   * @example
   * const client = await FoldwiseClient.connect({ temporalAddress: '127.0.0.1:7233' });
   */
  static async connect(options: ConnectOptions = {}): Promise<FoldwiseClient> {
    const source = options.env ?? process.env;
    const vars = readClientEnv(source);
    const target = temporalTarget(source, { address: options.temporalAddress, namespace: options.namespace });
    const connection = await Connection.connect({
      address: target.address,
      ...(target.tls !== undefined ? { tls: target.tls } : {}),
      ...(target.apiKey !== undefined ? { apiKey: target.apiKey } : {}),
      ...(target.metadata !== undefined ? { metadata: target.metadata } : {}),
    });
    const temporal = new Client({ connection, namespace: target.namespace });
    const uri = options.mongodbUri ?? vars.MONGODB_URI;
    const store = await connectStore({
      uri,
      dbName: mongoDatabase(
        uri,
        options.mongodbDb ?? (options.mongodbUri === undefined ? vars.FOLDWISE_MONGODB_DB : undefined),
      ),
    });
    const creds = options.natsCreds ?? vars.NATS_CREDS;
    const events = await connectEventsLazily({
      url: options.natsUrl ?? vars.NATS_URL,
      ...(creds ? { credsFile: creds } : {}),
    });
    const roots = options.allowedDataRoots ?? vars.FOLDWISE_DATA_ROOTS?.split(',') ?? [process.cwd()];
    return new FoldwiseClient(temporal, connection, store, events, {
      allowedDataRoots: roots,
      searchAttributes: options.searchAttributes ?? vars.FOLDWISE_SEARCH_ATTRIBUTES !== 'false',
      limits: options.limits ?? {},
    });
  }

  /**
   * Validates a spec (and its data), stages any local dataset once in GridFS and starts the search.
   * Submitting again with the same `searchId` returns the existing search and starts nothing.
   *
   * @example
   * const search = await client.submit(yaml.parse(text), { searchId: 'search-iris-001' });
   */
  async submit(specInput: SearchSpecInput | SearchSpec, options: SubmitOptions = {}): Promise<SearchHandle> {
    const r = validateSearchSpec(specInput, this.options.limits);
    if (!r.success) throw new SubmissionError(r.issues);
    const spec = r.data;
    const familyProblems = familyIssues(spec);
    if (familyProblems.length > 0) throw new SubmissionError(familyProblems);
    const dataset = await this.resolveDataset(spec);
    const searchId = options.searchId ?? `search-${spec.name}-${randomBytes(4).toString('hex')}`;
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(searchId)) {
      throw new SubmissionError([
        {
          path: 'searchId',
          code: 'custom',
          message: 'may contain letters, digits, dashes and underscores only',
        },
      ]);
    }
    try {
      await this.temporal.workflow.start('searchWorkflow', {
        taskQueue: TaskQueue.Control,
        workflowId: searchId,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [{ searchId, spec, dataset, searchAttributes: this.options.searchAttributes }],
        staticSummary: `${spec.name}: ${spec.models.map((m) => m.family).join(' vs ')} · ${spec.budget.trials} trials × ${spec.cv.k} folds`,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return new SearchHandle(this, searchId);
  }

  /**
   * A handle to an existing search by id.
   *
   * @example
   * const result = await client.get('search-iris-001').result();
   */
  get(searchId: string): SearchHandle {
    return new SearchHandle(this, searchId);
  }

  /**
   * Searches recorded in MongoDB, newest first. A running search's counts are read live from its workflow (the
   * store records them when the search ends); one whose workflow does not answer keeps the stored counts.
   *
   * @example
   * for (const s of await client.list({ limit: 10 })) console.log(s._id, s.status, s.counts.trialsCompleted);
   */
  async list(options: { status?: SearchDoc['status']; limit?: number } = {}): Promise<SearchDoc[]> {
    const docs = await this.store.searches.list(options);
    return Promise.all(
      docs.map(async (doc) => {
        if (doc.status !== 'running') return doc;
        try {
          const p = await this.get(doc._id).status();
          const trials = p.completed + p.pruned + p.failed + p.inFlight;
          return {
            ...doc,
            counts: {
              trials,
              trialsCompleted: p.completed,
              trialsPruned: p.pruned,
              trialsFailed: p.failed,
              folds: p.foldsTotal,
              foldsCompleted: p.foldsDone,
            },
          };
        } catch {
          return doc;
        }
      }),
    );
  }

  /**
   * Whether a search's workflow exists in Temporal.
   *
   * @example
   * if (await client.exists(id)) console.log('known');
   */
  async exists(searchId: string): Promise<boolean> {
    try {
      await this.temporal.workflow.getHandle(searchId).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  /**
   * Closes every connection.
   *
   * @example
   * await client.close();
   */
  async close(): Promise<void> {
    await this.events.close();
    await this.store.close();
    await this.connection.close();
  }

  private async resolveDataset(spec: SearchSpec): Promise<ResolvedDataset> {
    const ds = spec.dataset;
    const k = spec.cv.kind === 'shuffle-split' ? 2 : spec.cv.k;
    const stratified = spec.cv.kind.includes('stratified') && spec.task !== 'regression';
    if ('builtin' in ds) {
      const d = describeBuiltin(ds.builtin);
      if (spec.task && spec.task !== d.task) {
        throw new SubmissionError([
          {
            path: 'task',
            code: 'custom',
            message: `${ds.builtin} is a ${d.task} dataset (got task ${spec.task})`,
          },
        ]);
      }
      const n = ds.subset ?? d.nSamples;
      if (n < k)
        throw new SubmissionError([
          { path: 'cv.k', code: 'custom', message: `fewer samples (${n}) than folds (${k})` },
        ]);
      return { builtin: ds.builtin, ...(ds.subset !== undefined ? { subset: ds.subset } : {}) };
    }
    let content: Buffer | undefined;
    let filename: string | undefined;
    if ('path' in ds) {
      let resolved: string;
      try {
        resolved = resolveDataPath(ds.path, this.options.allowedDataRoots);
      } catch (err) {
        throw new SubmissionError([
          { path: 'dataset.path', code: 'custom', message: (err as Error).message },
        ]);
      }
      content = readFileSync(resolved);
      filename = resolved.split('/').pop();
    }
    const meta = {
      format: ds.format,
      target: ds.target,
      missing: ds.missing,
      ...(ds.featureTypes ? { featureTypes: ds.featureTypes } : {}),
      ...(ds.groups !== undefined ? { groups: ds.groups } : {}),
    };
    if (content) {
      try {
        const parsed = (ds.format === 'jsonl' ? parseJsonl : parseCsv)(content, {
          target: ds.target,
          missing: ds.missing,
          ...(spec.task ? { task: spec.task } : {}),
          ...(ds.featureTypes ? { featureTypes: ds.featureTypes } : {}),
          ...(ds.groups !== undefined ? { groups: ds.groups } : {}),
        });
        const problems = validateForCv(parsed, {
          k,
          stratified: stratified && parsed.task === 'classification',
        });
        const nGroups = parsed.groups ? new Set(parsed.groups).size : 0;
        if ((spec.cv.kind === 'group' || spec.cv.kind === 'stratified-group') && nGroups < k) {
          problems.push(
            `groups: column '${ds.groups}' has ${nGroups} distinct group${nGroups === 1 ? '' : 's'}, fewer than cv.k = ${k}`,
          );
        }
        if (problems.length > 0)
          throw new SubmissionError(problems.map((m) => ({ path: 'dataset', code: 'custom', message: m })));
      } catch (err) {
        if (err instanceof DatasetError)
          throw new SubmissionError([{ path: 'dataset', code: 'invalid_data', message: err.message }]);
        throw err;
      }
      const staged = await stageDataset(this.store.db, content, {
        filename: filename ?? 'data',
        ...meta,
        ...(spec.task ? { task: spec.task } : {}),
      });
      return { sha256: staged.sha256, ...meta };
    }
    const known =
      'sha256' in ds
        ? await this.store.db.collection(`${DATASETS_BUCKET}.files`).findOne({ filename: ds.sha256 })
        : null;
    if (!('sha256' in ds) || !known) {
      throw new SubmissionError([
        {
          path: 'dataset.sha256',
          code: 'custom',
          message: 'no staged dataset has this sha256; upload the file with dataset.path first',
        },
      ]);
    }
    return { sha256: ds.sha256, ...meta };
  }
}

export { InvalidSpecError };
