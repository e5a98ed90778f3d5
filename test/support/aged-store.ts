/**
 * An aged store (for `bench:e2e` and the store-work test): a database that already holds the documents of many earlier searches, so the bench can
 * show whether a search's store work grows with what the store already holds. The documents are synthetic but have
 * the shape and size of real ones (a 10-class confusion matrix, a 20-epoch curve, a trial's metric summaries), and
 * they go through the store's own schemas and encodings. A database that already holds enough is reused as it is.
 */
import { connectStore, type Store } from '@foldwise/store';
import type { FoldDoc, SearchDoc, TrialDoc } from '@foldwise/spec';

/** Searches, trials and folds of one synthetic earlier search (5 folds per trial, 30 trials). */
const FOLDS_PER_TRIAL = 5;
const TRIALS_PER_SEARCH = 30;

const iso = (ms: number): string => new Date(ms).toISOString();

function foldDoc(searchId: string, trialIndex: number, fold: number, t: number): FoldDoc {
  const acc = 0.9 + ((trialIndex * 7 + fold * 3) % 10) / 100;
  return {
    _id: `${searchId}:${trialIndex}:${fold}`,
    searchId,
    trialId: `${searchId}:${trialIndex}`,
    trialIndex,
    fold,
    model: 'mlp',
    params: { units: 64, hiddenLayers: 2, activation: 'relu', learningRate: 0.003, l2: 0.0001, epochs: 20 },
    status: 'completed',
    metrics: { accuracy: acc },
    confusionMatrix: Array.from({ length: 10 }, (_, i) =>
      Array.from({ length: 10 }, (_, j) => (i === j ? 28 : (i + j + fold) % 3 === 0 ? 1 : 0)),
    ),
    curve: Array.from({ length: 20 }, (_, e) => ({
      epoch: e + 1,
      trainLoss: 2 / (e + 1),
      valLoss: 2.1 / (e + 1),
      valScore: Math.min(0.99, 0.5 + e * 0.025),
    })),
    epochsTrained: 20,
    splitHash: 'a1b2c3d4e5f60718',
    backend: 'wasm-simd',
    worker: 'cpu@aged:1',
    attempt: 1,
    durationMs: 180,
    trainCpuMs: 150,
    nTrain: 1150,
    nVal: 288,
    createdAt: iso(t),
    updatedAt: iso(t),
  };
}

function trialDoc(searchId: string, trialIndex: number, t: number): TrialDoc {
  return {
    _id: `${searchId}:${trialIndex}`,
    searchId,
    trialIndex,
    model: 'mlp',
    params: { units: 64, hiddenLayers: 2, activation: 'relu', learningRate: 0.003, l2: 0.0001, epochs: 20 },
    status: 'completed',
    foldCount: FOLDS_PER_TRIAL,
    foldsCompleted: FOLDS_PER_TRIAL,
    metrics: { accuracy: { mean: 0.95, std: 0.01, ci95: [0.93, 0.97], n: FOLDS_PER_TRIAL } },
    epochsTrained: 20 * FOLDS_PER_TRIAL,
    createdAt: iso(t),
    updatedAt: iso(t),
    finishedAt: iso(t),
  };
}

function searchDoc(searchId: string, t: number): SearchDoc {
  return {
    _id: searchId,
    name: 'aged-history',
    spec: { name: 'aged-history', dataset: { builtin: 'digits' }, seed: 1 },
    specHash: 'aged',
    datasetHash: 'aged',
    status: 'completed',
    counts: {
      trials: TRIALS_PER_SEARCH,
      trialsCompleted: TRIALS_PER_SEARCH,
      trialsPruned: 0,
      trialsFailed: 0,
      folds: TRIALS_PER_SEARCH * FOLDS_PER_TRIAL,
      foldsCompleted: TRIALS_PER_SEARCH * FOLDS_PER_TRIAL,
    },
    createdAt: iso(t),
    updatedAt: iso(t),
    finishedAt: iso(t),
  };
}

/**
 * Earlier searches already seeded: a synthetic search's document is written after its folds and trials, so counting
 * them reads only the small `searches` collection (counting `folds` would read every fold document on FerretDB).
 */
async function seededSearches(store: Store): Promise<number> {
  return store.db.collection('searches').countDocuments({ name: 'aged-history' });
}

/**
 * Makes `dbName` hold at least `folds` fold documents of other searches (with their trials and searches), inserting
 * only what is missing; returns how many it holds and how long seeding took. Progress goes to `log`.
 */
export async function ageStore(
  uri: string,
  dbName: string,
  folds: number,
  log: (line: string) => void,
): Promise<{ folds: number; seededS: number }> {
  const store = await connectStore({ uri, dbName, appName: 'foldwise-bench-aged' });
  try {
    await store.ensureIndexes();
    const perSearch = TRIALS_PER_SEARCH * FOLDS_PER_TRIAL;
    const searches = Math.ceil(folds / perSearch);
    const firstSearch = await seededSearches(store);
    if (firstSearch >= searches) return { folds: firstSearch * perSearch, seededS: 0 };
    const t0 = performance.now();
    const base = Date.parse('2026-01-01T00:00:00Z');
    for (let s = firstSearch; s < searches; s++) {
      const searchId = `search-aged-history-${String(s).padStart(6, '0')}`;
      const t = base + s * 60_000;
      const foldDocs: FoldDoc[] = [];
      const trialDocs: TrialDoc[] = [];
      for (let i = 0; i < TRIALS_PER_SEARCH; i++) {
        trialDocs.push(trialDoc(searchId, i, t));
        for (let f = 0; f < FOLDS_PER_TRIAL; f++) foldDocs.push(foldDoc(searchId, i, f, t));
      }
      // Unordered inserts: a search seeded halfway by an interrupted run keeps its documents and gains the rest.
      await store.db
        .collection('folds')
        .insertMany(encodeAll(foldDocs), { ordered: false })
        .catch(ignoreDuplicates);
      await store.db
        .collection('trials')
        .insertMany(trialDocs as never[], { ordered: false })
        .catch(ignoreDuplicates);
      await store.searches.create(searchDoc(searchId, t));
      if ((s + 1) % 50 === 0) log(`  aged store: ${(s + 1) * perSearch} folds`);
    }
    return { folds: (await seededSearches(store)) * perSearch, seededS: (performance.now() - t0) / 1000 };
  } finally {
    await store.close();
  }
}

/** FerretDB v1 rejects arrays of arrays: the store keeps a confusion matrix as one `{ row }` object per row. */
function encodeAll(docs: FoldDoc[]): never[] {
  return docs.map((d) => ({ ...d, confusionMatrix: d.confusionMatrix?.map((row) => ({ row })) })) as never[];
}

function ignoreDuplicates(err: unknown): void {
  const e = err as { code?: number; writeErrors?: { code?: number }[] };
  const dupOnly = e.code === 11000 || (e.writeErrors ?? []).every((w) => w.code === 11000);
  if (!dupOnly) throw err;
}
