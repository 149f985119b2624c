// How `dedupfs repair` reports what it rebuilt and what could not be brought back.
import type { RepairReport } from '../lifecycle/repair.js';
import { shortId } from './formatSnapshot.js';
import { formatCount } from './formatCount.js';

export function formatRepair(r: RepairReport): string {
  const ix = r.index;
  const lines = [`index rebuilt from ${formatCount(ix.packs, 'pack')}: ${formatCount(ix.blocks, 'block')}`
    + (ix.duplicates ? `, ${formatCount(ix.duplicates, 'duplicate copy', 'duplicate copies')} skipped` : '')
    + (ix.unsealed ? `; ${formatCount(ix.unsealed, 'unsealed pack')} left for gc` : '')];
  for (const p of ix.problems) lines.push(`  pack ${p.pack}: ${p.problem}`);
  for (const d of ix.damaged) lines.push(`  left out damaged block ${d.address} (pack ${d.pack} offset ${d.offset})`);
  lines.push(`catalog rebuilt from ${formatCount(r.catalog.snapshots, 'snapshot file')}`);
  for (const s of r.catalog.setAside) lines.push(`  set aside unreadable ${s.file}: ${s.reason}`);
  const forgotten = new Set(r.forgotten);
  for (const s of r.damagedSnapshots) {
    lines.push(`snapshot ${shortId(s.id)} (${s.time}) needs ${formatCount(s.missingBlocks, 'block that is', 'blocks that are')} gone${forgotten.has(s.id) ? ': removed' : ''}`);
    for (const p of s.paths.slice(0, 10)) lines.push(`    ${p}`);
    if (s.paths.length > 10) lines.push(`    ... and ${s.paths.length - 10} more`);
  }
  if (r.damagedSnapshots.length && !r.forgotten.length) lines.push("run 'dedupfs repair --forget-damaged' to remove those snapshots");
  if (!r.damagedSnapshots.length) lines.push('every snapshot has all its blocks');
  return lines.join('\n') + '\n';
}
