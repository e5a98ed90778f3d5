import { MongoServerError } from 'mongodb';
import type { z } from 'zod';

/** Result of an idempotent write: whether this call changed the stored document, and what was stored before. */
export interface WriteResult<T> {
  written: boolean;
  existing?: T;
}

/** Whether an error is MongoDB's duplicate-key error (E11000). */
export const isDuplicateKey = (error: unknown): boolean =>
  error instanceof MongoServerError && error.code === 11000;

/** Parses a document with its schema, throwing an error that names the operation and every offending field. */
export const parseDoc = <S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map(
    (i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`,
  );
  throw new TypeError(`${what}: ${issues.join('; ')}`);
};

/** Current time as an ISO-8601 string. */
export const nowIso = (): string => new Date().toISOString();

/** Key of the object that stands for an array inside an array (FerretDB v1 rejects nested arrays). */
export const NESTED_ARRAY_KEY = '__array__';

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

const isNestedWrapper = (v: unknown): v is Record<string, unknown[]> =>
  isPlainObject(v) && Object.keys(v).length === 1 && Array.isArray(v[NESTED_ARRAY_KEY]);

/** Replaces every array directly inside an array by `{ __array__: [...] }`, at any depth, so FerretDB accepts it. */
export const encodeNestedArrays = <T>(value: T): T => {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v))
      return v.map((item) => (Array.isArray(item) ? { [NESTED_ARRAY_KEY]: walk(item) } : walk(item)));
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
};

/** Inverse of {@link encodeNestedArrays}. */
export const decodeNestedArrays = <T>(value: T): T => {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v))
      return v.map((item) => (isNestedWrapper(item) ? walk(item[NESTED_ARRAY_KEY]) : walk(item)));
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
};
