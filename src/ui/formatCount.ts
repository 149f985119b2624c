// "1 snapshot", "2 snapshots", "0 files": the one place human output puts a number before a noun.
// Every formatter in src/ui counts through it, so no line reads "1 files".

/** `n` and the noun, singular for exactly 1; `plural` defaults to singular + "s". */
export function formatCount(n: number | bigint, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 || n === 1n ? singular : plural}`;
}
