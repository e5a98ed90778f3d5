import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Db } from 'mongodb';
import type { ResolvedDataset } from '@foldwise/spec';
import { builtinNames, loadBuiltin, type BuiltinName } from './builtins';
import { DatasetError, DatasetErrorCode } from './errors';
import { loadStagedDataset, stageDataset, type StageMeta, type StagedLoadEvent } from './gridfs';
import { resolveDataPath } from './paths';
import type { Dataset, Task } from './types';

/** What `loadDataset` needs: a database and cache directory for staged data, the subset seed, the task the spec declares. */
export interface LoadDatasetContext {
  db?: Db;
  cacheDir?: string;
  seed?: number;
  task?: Task;
  onEvent?: (event: StagedLoadEvent) => void;
}

/** Loads the dataset a resolved spec names: a built-in (optionally a seeded subset) or a staged GridFS file parsed with the spec's options. */
export function loadDataset(ref: ResolvedDataset, ctx: LoadDatasetContext = {}): Promise<Dataset> {
  if ('builtin' in ref) {
    if (!(builtinNames as readonly string[]).includes(ref.builtin)) {
      return Promise.reject(
        new DatasetError(
          DatasetErrorCode.UnknownDataset,
          `dataset.builtin: unknown dataset '${ref.builtin}'; built-ins are ${builtinNames.join(', ')}`,
        ),
      );
    }
    return loadBuiltin(ref.builtin as BuiltinName, {
      ...(ref.subset !== undefined ? { subset: ref.subset } : {}),
      ...(ctx.seed !== undefined ? { seed: ctx.seed } : {}),
    });
  }
  if (!ctx.db || !ctx.cacheDir) {
    return Promise.reject(
      new DatasetError(
        DatasetErrorCode.InvalidOption,
        `dataset.sha256: loading staged dataset ${ref.sha256} needs a database and a cacheDir`,
      ),
    );
  }
  return loadStagedDataset(ctx.db, ref.sha256, {
    cacheDir: ctx.cacheDir,
    parse: {
      target: ref.target,
      missing: ref.missing,
      ...(ref.featureTypes !== undefined ? { featureTypes: ref.featureTypes } : {}),
      ...(ref.groups !== undefined ? { groups: ref.groups } : {}),
      ...(ctx.task !== undefined ? { task: ctx.task } : {}),
    },
    ...(ctx.onEvent ? { onEvent: ctx.onEvent } : {}),
  });
}

/** Stages a local file named in a spec: confines it to `allowedRoots`, reads it, and uploads it once under its sha256 (its base name is kept as `filename`). */
export async function stageDataFile(
  db: Db,
  userPath: string,
  allowedRoots: string[],
  meta: Omit<StageMeta, 'filename'> & { filename?: string },
): Promise<{ sha256: string; existed: boolean; path: string }> {
  const real = resolveDataPath(userPath, allowedRoots);
  const content = await fs.promises.readFile(real);
  const staged = await stageDataset(db, content, {
    ...meta,
    filename: meta.filename ?? path.basename(userPath),
  });
  return { ...staged, path: real };
}
