// The totals of a diff: how many entries were added, removed and changed, by what aspect, and the
// logical bytes on each side (a file whose content changed counts its old size as removed and its
// new size as added). Counted as the items stream by, so a huge diff needs no list in memory.
import type { DiffItem } from './diffTrees.js';

export interface DiffSummary {
  added: number;
  removed: number;
  changed: number;
  /** changed entries by aspect (an entry can count in both content and metadata) */
  content: number;
  metadata: number;
  type: number;
  bytesAdded: number;
  bytesRemoved: number;
}

export function emptyDiffSummary(): DiffSummary {
  return { added: 0, removed: 0, changed: 0, content: 0, metadata: 0, type: 0, bytesAdded: 0, bytesRemoved: 0 };
}

/** Adds `item` to `summary` (in place). */
export function countDiffItem(summary: DiffSummary, item: DiffItem): void {
  summary[item.change]++;
  for (const aspect of item.aspects) summary[aspect]++;
  const counts = item.change !== 'changed' || item.aspects.includes('content') || item.aspects.includes('type');
  if (counts && item.before?.kind === 'file') summary.bytesRemoved += item.before.size;
  if (counts && item.after?.kind === 'file') summary.bytesAdded += item.after.size;
}
