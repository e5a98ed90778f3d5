import { readFileSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/**
 * Registers a Temporal namespace (kept one day) with foldwise's search attributes unless it exists, so a benchmark's
 * searches neither take nor give tasks to other workers on the same stack.
 */
export async function ensureNamespace(address: string, namespace: string): Promise<void> {
  const conn = await Connection.connect({ address });
  try {
    try {
      await conn.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs('1 day'),
      });
    } catch (err) {
      if (!/already exists/i.test((err as Error).message)) throw err;
    }
    const T = temporal.api.enums.v1.IndexedValueType;
    const wanted = {
      FoldwiseSearchName: T.INDEXED_VALUE_TYPE_KEYWORD,
      FoldwiseStatus: T.INDEXED_VALUE_TYPE_KEYWORD,
      FoldwiseBestScore: T.INDEXED_VALUE_TYPE_DOUBLE,
      FoldwiseModel: T.INDEXED_VALUE_TYPE_KEYWORD,
    };
    const have = (await conn.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
    const missing = Object.fromEntries(Object.entries(wanted).filter(([k]) => !(k in have)));
    if (Object.keys(missing).length > 0)
      await conn.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } finally {
    await conn.close();
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN when unreadable. */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
