// How `dedupfs gc` reports its plan and what it did.
import type { GcReport } from '../lifecycle/gc.js';
import { formatBytes } from '../core/size.js';

const packs = (n: number) => `${n} ${n === 1 ? 'pack' : 'packs'}`;

export function formatGc(r: GcReport): string {
  const lines = [
    `${r.snapshots} snapshots need ${r.reachableBlocks} blocks`,
    `${packs(r.packs)}, ${formatBytes(r.packBytes)}: ${formatBytes(r.liveBytes)} in use, ${formatBytes(r.deadBytes)} unused`,
  ];
  if (r.missing) lines.push(`${r.missing} blocks that snapshots need are missing`);
  if (r.reindexed) lines.push(`${r.reindexed} blocks the index did not name ${r.dryRun ? 'would be' : 'were'} indexed again`);
  const res = r.result;
  if (!res) {
    lines.push(`dry run: would delete ${packs(r.deletePacks)}, rewrite ${packs(r.rewritePacks)} (copying ${formatBytes(r.copyBytes)})`
      + (r.unsealed ? `, remove ${r.unsealed} unsealed leftovers` : ''));
    return lines.join('\n') + '\n';
  }
  lines.push(`deleted ${packs(res.deletedPacks - res.rewrittenPacks)}, rewrote ${packs(res.rewrittenPacks)} into ${packs(res.newPacks)} `
    + `(${res.copiedBlocks} blocks copied)`);
  if (res.removedUnsealed) lines.push(`removed ${res.removedUnsealed} unsealed leftovers`);
  if (res.removedIndexEntries) lines.push(`removed ${res.removedIndexEntries} index entries`);
  for (const k of res.keptDamaged) lines.push(`kept pack ${k.pack}: ${k.reason}`);
  lines.push(`freed ${formatBytes(res.freedBytes)} (${formatBytes(res.bytesBefore)} -> ${formatBytes(res.bytesAfter)})`);
  return lines.join('\n') + '\n';
}
