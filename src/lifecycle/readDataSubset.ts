// Which packs `check --read-data-subset` reads. 'N/M' takes the N-th of M parts, a part being
// the packs whose id (random hex) gives N-1 modulo M, so running 1/M, 2/M ... M/M on successive
// nights reads every pack once. 'N%' takes that share of the packs, chosen at random each run.
import { DedupfsError } from '../core/errors.js';

export type ReadDataSubset = { part: number; of: number } | { percent: number };

/** Parses 'N/M' (1 <= N <= M) or 'N%' (0 < N <= 100, decimals allowed). */
export function parseReadDataSubset(text: string): ReadDataSubset {
  const part = /^(\d+)\/(\d+)$/.exec(text);
  if (part) {
    const n = Number(part[1]), m = Number(part[2]);
    if (n >= 1 && n <= m) return { part: n, of: m };
  }
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const p = Number(percent[1]);
    if (p > 0 && p <= 100) return { percent: p };
  }
  throw new DedupfsError('USAGE', `invalid subset '${text}' (use N/M with 1 <= N <= M, e.g. 3/7, or a percentage, e.g. 10%)`);
}

/** The packs of `packIds` the subset takes. */
export function selectSubset(packIds: string[], subset: ReadDataSubset): Set<string> {
  if ('part' in subset) {
    return new Set(packIds.filter((id) => parseInt(id.slice(0, 8), 16) % subset.of === subset.part - 1));
  }
  const count = Math.ceil(packIds.length * subset.percent / 100);
  const shuffled = [...packIds];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  return new Set(shuffled.slice(0, count));
}

/** 'N/M' or 'N%' again, for reports. */
export function formatReadDataSubset(subset: ReadDataSubset): string {
  return 'part' in subset ? `${subset.part}/${subset.of}` : `${subset.percent}%`;
}
