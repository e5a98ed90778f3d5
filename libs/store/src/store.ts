import { MongoClient, type Db } from 'mongodb';
import type { FoldDoc, SearchDoc, TrialDoc } from '@foldwise/spec';
import { createArtifactStore, type ArtifactStore } from './artifacts';
import { createFoldRepository, type FoldRepository } from './folds';
import { createSearchRepository, type SearchRepository } from './searches';
import {
  createTrialRepository,
  type LeaderboardOptions,
  type LeaderboardRow,
  type TrialRepository,
} from './trials';

/** Collection names of the data model. */
export const Collections = { Searches: 'searches', Trials: 'trials', Folds: 'folds' } as const;

/** Where the store connects. */
export interface StoreOptions {
  uri: string;
  dbName: string;
  appName?: string;
  /** Emit the driver's command events on `client` (tests that check which commands a path issues). */
  monitorCommands?: boolean;
  serverSelectionTimeoutMS?: number;
}

/** foldwise's MongoDB (or FerretDB) persistence: searches, trials, folds and artifacts. */
export interface Store {
  readonly client: MongoClient;
  readonly db: Db;
  readonly folds: FoldRepository;
  readonly trials: TrialRepository;
  readonly searches: SearchRepository;
  readonly artifacts: ArtifactStore;
  /** Creates the indexes every query relies on; safe to repeat. */
  ensureIndexes(): Promise<void>;
  /** The trials of a search ranked by the mean of one metric (completed trials unless `statuses` says otherwise). */
  leaderboard(searchId: string, opts: LeaderboardOptions): Promise<LeaderboardRow[]>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/** Connects to MongoDB or FerretDB and returns the store; uses only the subset of MongoDB that FerretDB supports. */
export const connectStore = async (opts: StoreOptions): Promise<Store> => {
  if (!opts.uri) throw new TypeError('uri must be a MongoDB connection string');
  if (!opts.dbName || /[/\\. "$]/.test(opts.dbName)) {
    throw new TypeError(
      `dbName must be a non-empty database name without / \\ . " $ or spaces (got ${JSON.stringify(opts.dbName)})`,
    );
  }
  const client = new MongoClient(opts.uri, {
    appName: opts.appName ?? 'foldwise',
    serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 10_000,
    ignoreUndefined: true,
    ...(opts.monitorCommands ? { monitorCommands: true } : {}),
  });
  await client.connect();
  const db = client.db(opts.dbName);
  const foldCol = db.collection<FoldDoc>(Collections.Folds);
  const trialCol = db.collection<TrialDoc>(Collections.Trials);
  const searchCol = db.collection<SearchDoc>(Collections.Searches);
  const folds = createFoldRepository(foldCol);
  const trials = createTrialRepository(trialCol);
  return {
    client,
    db,
    folds,
    trials,
    searches: createSearchRepository(searchCol),
    artifacts: createArtifactStore(db),
    async ensureIndexes() {
      await foldCol.createIndex({ searchId: 1, trialIndex: 1, fold: 1 }, { name: 'search_trial_fold' });
      await foldCol.createIndex({ trialId: 1, fold: 1 }, { name: 'trial_fold' });
      await foldCol.createIndex({ searchId: 1, status: 1 }, { name: 'search_status' });
      await trialCol.createIndex({ searchId: 1, status: 1 }, { name: 'search_status' });
      await trialCol.createIndex({ searchId: 1, trialIndex: 1 }, { name: 'search_trial', unique: true });
      await searchCol.createIndex({ status: 1 }, { name: 'status' });
      await searchCol.createIndex({ createdAt: -1 }, { name: 'created' });
    },
    leaderboard: (searchId, lbOpts) => trials.leaderboard(searchId, lbOpts),
    close: () => client.close(),
  };
};
