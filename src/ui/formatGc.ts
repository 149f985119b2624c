// How `dedupfs gc` reports its plan and what it did.
import type { GcReport } from '../lifecycle/gc.js';
import { formatBytes } from '../core/size.js';
import { formatCount } from './formatCount.js';

const packs = (n: number) => formatCount(n, 'pack');

export function formatGc(r: GcReport): string {
  const lines = [
    `${formatCount(r.snapshots, 'snapshot needs', 'snapshots need')} ${formatCount(r.reachableBlocks, 'block')}`,
    `${packs(r.packs)}, ${formatBytes(r.packBytes)}: ${formatBytes(r.liveBytes)} in use, ${formatBytes(r.deadBytes)} unused`,
  ];
  if (r.missing) lines.push(`${formatCount(r.missing, 'block that snapshots need is', 'blocks that snapshots need are')} missing`);
  if (r.reindexed) lines.push(`${formatCount(r.reindexed, 'block')} the index did not name ${r.dryRun ? 'would be' : 'were'} indexed again`);
  const res = r.result;
  if (!res) {
    lines.push(`dry run: would delete ${packs(r.deletePacks)}, rewrite ${packs(r.rewritePacks)} (copying ${formatBytes(r.copyBytes)})`
      + (r.unsealed ? `, remove ${formatCount(r.unsealed, 'unsealed leftover')}` : ''));
    return lines.join('\n') + '\n';
  }
  lines.push(`deleted ${packs(res.deletedPacks - res.rewrittenPacks)}, rewrote ${packs(res.rewrittenPacks)} into ${packs(res.newPacks)} `
    + `(${formatCount(res.copiedBlocks, 'block')} copied)`);
  if (res.removedUnsealed) lines.push(`removed ${formatCount(res.removedUnsealed, 'unsealed leftover')}`);
  if (res.removedIndexEntries) lines.push(`removed ${formatCount(res.removedIndexEntries, 'index entry', 'index entries')}`);
  for (const k of res.keptDamaged) lines.push(`kept pack ${k.pack}: ${k.reason}`);
  lines.push(`freed ${formatBytes(res.freedBytes)} (${formatBytes(res.bytesBefore)} -> ${formatBytes(res.bytesAfter)})`);
  return lines.join('\n') + '\n';
}
