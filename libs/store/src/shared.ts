import { MongoServerError } from 'mongodb';
import type { z } from 'zod';

/** Result of an idempotent write: whether this call changed the stored document, and what was stored before. */
export interface WriteResult<T> {
  written: boolean;
  existing?: T;
}

/** Whether an error is MongoDB's duplicate-key error (E11000). */
export const isDuplicateKey = (error: unknown): boolean => error instanceof MongoServerError && error.code === 11000;

/** Parses a document with its schema, throwing an error that names the operation and every offending field. */
export const parseDoc = <S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new TypeError(`${what}: ${issues.join('; ')}`);
};

/** Current time as an ISO-8601 string. */
export const nowIso = (): string => new Date().toISOString();
