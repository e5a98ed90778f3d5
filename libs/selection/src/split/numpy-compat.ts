/**
 * The few numpy 1.24 behaviours scikit-learn's splitters depend on, reproduced bit for bit: the tie order
 * of `np.argsort`'s default (unstable) introsort, and the summation order of `np.sum`/`np.std`.
 */

const SMALL_PARTITION = 16;

function mostSignificantBit(n: number): number {
  let depth = 0;
  for (let u = n; u > 1; u = Math.floor(u / 2)) depth++;
  return depth;
}

/**
 * Indices that sort `values` ascending, with ties in exactly the order numpy 1.24's default
 * `np.argsort(kind='quicksort')` leaves them (median-of-three quicksort, insertion sort below 17
 * elements, heapsort past the depth limit).
 */
export function numpyArgsort(values: ArrayLike<number>): Uint32Array {
  const n = values.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n < 2) return idx;
  const v = (p: number): number => values[idx[p] as number] as number;
  const swap = (a: number, b: number): void => {
    const t = idx[a] as number;
    idx[a] = idx[b] as number;
    idx[b] = t;
  };
  const stack: number[] = [];
  const depths: number[] = [];
  let lo = 0;
  let hi = n - 1;
  let depth = mostSignificantBit(n) * 2;
  for (;;) {
    if (depth < 0) {
      heapsortRange(values, idx, lo, hi - lo + 1);
    } else {
      while (hi - lo > SMALL_PARTITION - 1) {
        const mid = lo + ((hi - lo) >> 1);
        if (v(mid) < v(lo)) swap(mid, lo);
        if (v(hi) < v(mid)) swap(hi, mid);
        if (v(mid) < v(lo)) swap(mid, lo);
        const pivot = v(mid);
        let i = lo;
        let j = hi - 1;
        swap(mid, j);
        for (;;) {
          do i++;
          while (v(i) < pivot);
          do j--;
          while (pivot < v(j));
          if (i >= j) break;
          swap(i, j);
        }
        swap(i, hi - 1);
        if (i - lo < hi - i) {
          stack.push(i + 1, hi);
          hi = i - 1;
        } else {
          stack.push(lo, i - 1);
          lo = i + 1;
        }
        depths.push(--depth);
      }
      for (let i = lo + 1; i <= hi; i++) {
        const item = idx[i] as number;
        const key = values[item] as number;
        let j = i;
        while (j > lo && key < (values[idx[j - 1] as number] as number)) {
          idx[j] = idx[j - 1] as number;
          j--;
        }
        idx[j] = item;
      }
    }
    if (stack.length === 0) break;
    hi = stack.pop() as number;
    lo = stack.pop() as number;
    depth = depths.pop() as number;
  }
  return idx;
}

function heapsortRange(values: ArrayLike<number>, idx: Uint32Array, start: number, count: number): void {
  const at = (p: number): number => idx[start + p - 1] as number;
  const set = (p: number, x: number): void => {
    idx[start + p - 1] = x;
  };
  const key = (item: number): number => values[item] as number;
  const siftDown = (from: number, size: number, item: number): void => {
    let i = from;
    let j = from * 2;
    while (j <= size) {
      if (j < size && key(at(j)) < key(at(j + 1))) j++;
      if (key(item) < key(at(j))) {
        set(i, at(j));
        i = j;
        j += j;
      } else break;
    }
    set(i, item);
  };
  for (let l = count >> 1; l > 0; l--) siftDown(l, count, at(l));
  for (let size = count; size > 1;) {
    const item = at(size);
    set(size, at(1));
    size--;
    siftDown(1, size, item);
  }
}

/** `np.add.reduce` over a contiguous float64 run: sequential below 8 elements, numpy's pairwise blocks above. */
export function numpySum(a: ArrayLike<number>, start = 0, count = a.length - start): number {
  if (count < 8) {
    let res = -0;
    for (let i = 0; i < count; i++) res += a[start + i] as number;
    return res;
  }
  if (count <= 128) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = a[start + j] as number;
    let i = 8;
    for (; i < count - (count % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] = (r[j] as number) + (a[start + i + j] as number);
    }
    let res =
      (r[0] as number) +
      (r[1] as number) +
      ((r[2] as number) + (r[3] as number)) +
      ((r[4] as number) + (r[5] as number) + ((r[6] as number) + (r[7] as number)));
    for (; i < count; i++) res += a[start + i] as number;
    return res;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return numpySum(a, start, half) + numpySum(a, start + half, count - half);
}

/** `np.std(row)` (ddof 0) of a contiguous float64 row, with numpy's summation order. */
export function numpyStd(a: ArrayLike<number>): number {
  const n = a.length;
  const mean = (0 + numpySum(a)) / n;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - mean;
    sq[i] = d * d;
  }
  return Math.sqrt((0 + numpySum(sq)) / n);
}
