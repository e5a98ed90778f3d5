// Rank utilities with SciPy's 'average' tie handling.

/** Ranks 1..n of `values`, ties receiving the average of the ranks they span (scipy.stats.rankdata). */
export function rankData(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((i, j) => (values[i] ?? 0) - (values[j] ?? 0) || i - j);
  const ranks = new Array<number>(values.length).fill(0);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end] ?? 0] === values[order[start] ?? 0]) end++;
    const avg = (start + end + 1) / 2;
    for (let k = start; k < end; k++) ranks[order[k] ?? 0] = avg;
    start = end;
  }
  return ranks;
}

/** Sizes of the groups of equal values that have more than one member (scipy.stats.find_repeats counts). */
export function tieGroupSizes(values: readonly number[]): number[] {
  const sorted = [...values].sort((x, y) => x - y);
  const sizes: number[] = [];
  let start = 0;
  while (start < sorted.length) {
    let end = start + 1;
    while (end < sorted.length && sorted[end] === sorted[start]) end++;
    if (end - start > 1) sizes.push(end - start);
    start = end;
  }
  return sizes;
}
