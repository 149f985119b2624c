// Summary figures for a set of chunk lengths: what `dedupfs chunk` and the benchmark print to
// show how well the parameters hit their target size.

export interface ChunkStats {
  count: number;
  totalBytes: number;
  mean: number;
  /** Population standard deviation of the lengths. */
  stddev: number;
  smallest: number;
  largest: number;
}

/** Count, total, mean, standard deviation, smallest and largest of `lengths` (all 0 when empty). */
export function chunkStats(lengths: Iterable<number>): ChunkStats {
  let count = 0, total = 0, squares = 0, smallest = Infinity, largest = 0;
  for (const n of lengths) {
    count++;
    total += n;
    squares += n * n;
    if (n < smallest) smallest = n;
    if (n > largest) largest = n;
  }
  if (count === 0) return { count: 0, totalBytes: 0, mean: 0, stddev: 0, smallest: 0, largest: 0 };
  const mean = total / count;
  return { count, totalBytes: total, mean, stddev: Math.sqrt(Math.max(0, squares / count - mean * mean)), smallest, largest };
}
