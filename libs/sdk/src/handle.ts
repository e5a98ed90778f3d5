import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type {
  ComparisonResult,
  FoldDoc,
  FoldwiseEvent,
  SearchProgress,
  SearchResult,
  SearchSpec,
  TrialDoc,
} from '@foldwise/spec';
import { compareTrials, type CompareOptions } from './compare';
import type { FoldwiseClient } from './client';
import { foldRow, trialRow, type FoldRow, type TrialRow } from './rows';

/** One row of a leaderboard: a trial with its fold aggregates. */
export interface LeaderboardEntry {
  trialId: string;
  trialIndex: number;
  model: string;
  params: Record<string, unknown>;
  status: TrialDoc['status'];
  folds: number;
  /** `ciMethod` names how `ci95` was computed (absent for trials recorded before it was named). */
  metrics: Record<
    string,
    { mean: number; std: number | null; ci95: [number, number] | null; ciMethod?: string | undefined }
  >;
}

/**
 * A submitted search: progress, results, control.
 *
 * @example
 * const search = client.get('search-iris-001');
 * await search.pause();
 * await search.extendBudget(10);
 * await search.resume();
 */
export class SearchHandle {
  /** The underlying Temporal workflow handle. */
  readonly workflow: WorkflowHandle;

  constructor(
    private readonly client: FoldwiseClient,
    /** The search id (also the workflow id). */
    readonly searchId: string,
  ) {
    this.workflow = client.temporal.workflow.getHandle(searchId);
  }

  /**
   * Typed progress events, replayed from the start of the search or from now; ends after `completed`/`failed`
   * or when `signal` aborts.
   *
   * @example
   * for await (const e of search.progress({ from: 'start' })) if (e.kind === 'fold') console.log(e.payload.metrics);
   */
  progress(options: { from?: 'start' | 'now'; signal?: AbortSignal } = {}): AsyncIterable<FoldwiseEvent> {
    return this.client.events.subscribe(this.searchId, {
      from: options.from ?? 'start',
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /**
   * Waits for the search to finish and returns its result (best, leaderboard, comparison, refit).
   *
   * @example
   * const { best, comparison } = await search.result();
   */
  async result(): Promise<SearchResult> {
    return (await this.workflow.result()) as SearchResult;
  }

  /**
   * Live status from the running workflow (trials started, in flight, done, best so far).
   *
   * @example
   * const s = await search.status(); console.log(`${s.completed}/${s.budget}`);
   */
  async status(): Promise<SearchProgress> {
    return this.workflow.query<SearchProgress>('status');
  }

  /**
   * The leaderboard from MongoDB: trial aggregates, best first by the primary metric.
   *
   * @example
   * for (const row of await search.leaderboard()) console.log(row.model, row.metrics.accuracy?.mean);
   */
  async leaderboard(): Promise<LeaderboardEntry[]> {
    const doc = await this.client.store.searches.get(this.searchId);
    const spec = doc?.spec as SearchSpec | undefined;
    const metric = spec?.metrics.primary ?? 'accuracy';
    const plan = (doc as { plan?: { primary?: { greaterIsBetter?: boolean } } } | null)?.plan;
    const rows = await this.client.store.leaderboard(this.searchId, {
      metric,
      greaterIsBetter: plan?.primary?.greaterIsBetter ?? true,
    });
    return rows.map(({ trial: t }) => ({
      trialId: t._id,
      trialIndex: t.trialIndex,
      model: t.model,
      params: t.params as Record<string, unknown>,
      status: t.status,
      folds: t.foldsCompleted,
      metrics: Object.fromEntries(
        Object.entries(t.metrics).map(([k, v]) => [
          k,
          {
            mean: v.mean,
            std: v.std,
            ci95: v.ci95 as [number, number] | null,
            ...(v.ciMethod ? { ciMethod: v.ciMethod } : {}),
          },
        ]),
      ),
    }));
  }

  /**
   * Every trial as a flat row (`param_<name>`, `mean_<metric>`, `std_<metric>`, …), by trial index: rows for a
   * dataframe.
   *
   * @example
   * const rows = []; for await (const t of search.trials()) rows.push(t);
   */
  async *trials(): AsyncGenerator<TrialRow> {
    const docs = await this.client.store.trials.forSearch(this.searchId);
    for (const t of docs.sort((a, b) => a.trialIndex - b.trialIndex)) yield trialRow(t);
  }

  /**
   * Every fold as a flat row (identity, `param_<name>`, each metric by name), by trial and fold: rows for a dataframe.
   *
   * @example
   * for await (const f of search.folds()) console.log(f.trialIndex, f.fold, f.accuracy);
   */
  async *folds(): AsyncGenerator<FoldRow> {
    for (const f of (await this.foldDocs()).sort((a, b) => a.trialIndex - b.trialIndex || a.fold - b.fold))
      yield foldRow(f);
  }

  /**
   * Every fold document of the search as stored (metrics, confusion matrices, learning curves).
   *
   * @example
   * const docs = await search.foldDocs();
   */
  async foldDocs(): Promise<FoldDoc[]> {
    return this.client.store.folds.forSearch(this.searchId);
  }

  /**
   * Compares the top K trials on their shared folds with the chosen paired tests.
   *
   * @example
   * const c = await search.compare({ topK: 3, tests: ['corrected-t', 'bayesian'] });
   */
  async compare(options: CompareOptions = {}): Promise<ComparisonResult | undefined> {
    const doc = await this.client.store.searches.get(this.searchId);
    if (!doc) throw new Error(`search ${this.searchId}: not found in MongoDB`);
    const spec = doc.spec as SearchSpec;
    const plan = (
      doc as { plan?: { primary: { name: string; greaterIsBetter: boolean }; testTrainRatio: number } }
    ).plan;
    return compareTrials(await this.client.store.trials.forSearch(this.searchId), await this.foldDocs(), {
      metric: plan?.primary.name ?? spec.metrics.primary,
      greaterIsBetter: plan?.primary.greaterIsBetter ?? true,
      testTrainRatio: plan?.testTrainRatio ?? 1 / (spec.cv.k - 1),
      topK: options.topK ?? spec.comparison.topK,
      tests: options.tests ?? spec.comparison.tests,
      alpha: options.alpha ?? spec.comparison.alpha,
      rope: options.rope ?? spec.comparison.rope,
      families: spec.models.map((m) => m.family),
    });
  }

  /**
   * Stops launching new trials; running trials finish.
   *
   * @example
   * await search.pause();
   */
  async pause(): Promise<void> {
    await this.workflow.executeUpdate('pause');
  }

  /**
   * Launches trials again after a pause.
   *
   * @example
   * await search.resume();
   */
  async resume(): Promise<void> {
    await this.workflow.executeUpdate('resume');
  }

  /**
   * Adds `n` trials to the budget and returns the new budget.
   *
   * @example
   * const budget = await search.extendBudget(20);
   */
  async extendBudget(n: number): Promise<number> {
    const r = await this.workflow.executeUpdate<{ budget: number }, [number]>('extendBudget', { args: [n] });
    return r.budget;
  }

  /**
   * Cancels the search: running folds stop within one heartbeat, records are left consistent.
   *
   * @example
   * await search.cancel();
   */
  async cancel(): Promise<void> {
    await this.workflow.cancel();
  }

  /**
   * Downloads the refit winner's model files (tfjs layers format) into `dir`; returns the file paths.
   *
   * @example
   * const files = await search.downloadModel('./model');
   */
  async downloadModel(dir: string): Promise<string[]> {
    const doc = await this.client.store.searches.get(this.searchId);
    const refit = (doc as { refit?: { artifact: string } } | null)?.refit;
    if (!refit)
      throw new Error(`search ${this.searchId}: no refit model (did the search finish with refit enabled?)`);
    const names = await this.client.store.artifacts.list(`${refit.artifact}/`);
    if (names.length === 0)
      throw new Error(`search ${this.searchId}: model artifact ${refit.artifact} is missing`);
    mkdirSync(dir, { recursive: true });
    const out: string[] = [];
    for (const name of names) {
      const bytes = await this.client.store.artifacts.get(name);
      if (!bytes) continue;
      const file = join(dir, name.slice(refit.artifact.length + 1).replace(/[^A-Za-z0-9._-]/g, '_'));
      writeFileSync(file, bytes);
      out.push(file);
    }
    return out;
  }
}
