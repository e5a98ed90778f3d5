/** Scores or probabilities per sample and class: rows of numbers, or one flat row-major array with `nClasses`. */
export type ScoreMatrix = readonly ArrayLike<number>[];

/** A row-major view of a score matrix. */
export interface MatrixView {
  data: ArrayLike<number>;
  rows: number;
  cols: number;
}

/** Largest allowed distance of a probability row's sum from 1. */
export const ROW_SUM_TOLERANCE = 1e-6;

function isRows(y: ArrayLike<number> | ScoreMatrix): y is ScoreMatrix {
  return y.length > 0 && typeof y[0] === 'object' && y[0] !== null;
}

/** Returns a row-major view of a matrix input, or null when `y` is one score per sample. */
export function asMatrix(
  name: string,
  y: ArrayLike<number> | ScoreMatrix,
  nClasses: number | undefined,
): MatrixView | null {
  if (nClasses !== undefined) {
    if (!Number.isInteger(nClasses) || nClasses < 1)
      throw new Error(`nClasses: must be a positive integer (got ${nClasses})`);
    if (isRows(y)) throw new Error(`${name}: nClasses describes a flat array, but rows were given`);
    if (y.length % nClasses !== 0) {
      throw new Error(`${name}: flat length ${y.length} is not a multiple of nClasses ${nClasses}`);
    }
    return { data: y as ArrayLike<number>, rows: y.length / nClasses, cols: nClasses };
  }
  if (!isRows(y)) return null;
  const cols = (y[0] as ArrayLike<number>).length;
  const data = new Float64Array(y.length * cols);
  for (let i = 0; i < y.length; i++) {
    const row = y[i] as ArrayLike<number>;
    if (row.length !== cols)
      throw new Error(`${name}[${i}]: row has ${row.length} columns, expected ${cols}`);
    for (let j = 0; j < cols; j++) data[i * cols + j] = row[j] as number;
  }
  return { data, rows: y.length, cols };
}

/** Throws unless every entry is finite. */
export function checkFinite(name: string, y: ArrayLike<number>): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (!Number.isFinite(v)) throw new Error(`${name}[${i}]: must be a finite number (got ${v})`);
  }
}

/** Throws unless every row of `m` is a probability distribution (sum within 1e-6 of 1). */
export function checkRowSums(name: string, m: MatrixView): void {
  const { data, rows, cols } = m;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const v = data[i * cols + j] as number;
      if (!Number.isFinite(v)) throw new Error(`${name}[${i}][${j}]: must be a finite number (got ${v})`);
      s += v;
    }
    if (Math.abs(s - 1) > ROW_SUM_TOLERANCE) {
      throw new Error(
        `${name}[${i}]: probabilities sum to ${s}, expected 1 (tolerance ${ROW_SUM_TOLERANCE})`,
      );
    }
  }
}
