// Human text for `dedupfs stats`.
import { formatBytes } from '../core/size.js';
import type { RepoStats, SnapshotStats } from '../stats/repoStats.js';
import { shortId } from './formatSnapshot.js';
import { formatCount } from './formatCount.js';

const x = (r: number) => `${r.toFixed(2)}x`;

export function formatRepoStats(dir: string, s: RepoStats): string {
  return [
    `repository ${dir}`,
    `  snapshots          ${s.snapshots}`,
    `  files              ${s.files} (over all snapshots)`,
    `  logical size       ${formatBytes(s.logicalBytes)}`,
    `  unique data        ${formatBytes(s.uniqueBytes)} in ${formatCount(s.chunks, 'chunk')} (mean ${formatBytes(s.meanChunkSize)})`,
    `  stored on disk     ${formatBytes(s.storedBytes)} in ${formatCount(s.packs, 'pack')}`,
    `  deduplication      ${x(s.dedupRatio)}`,
    `  compression        ${x(s.compressionRatio)}`,
    `  total              ${x(s.totalRatio)}`,
  ].join('\n') + '\n';
}

export function formatSnapshotStats(s: SnapshotStats): string {
  return [
    `snapshot ${shortId(s.id)} of ${s.time}`,
    `  files              ${s.files}`,
    `  logical size       ${formatBytes(s.logicalBytes)}`,
    `  added when made    ${formatBytes(s.added.rawBytes)} (${formatBytes(s.added.storedBytes)} stored) in ${formatCount(s.added.blocks, 'block')}`,
    `  held only by it    ${formatBytes(s.exclusive.rawBytes)} (${formatBytes(s.exclusive.storedBytes)} stored) in ${formatCount(s.exclusive.blocks, 'block')}`,
  ].join('\n') + '\n';
}
