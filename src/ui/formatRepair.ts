// How `dedupfs repair` reports what it rebuilt, what it salvaged, and what could not be brought
// back (by snapshot and path), and the one hint of what to do next; every hint keeps history.
import type { RepairReport } from '../lifecycle/repair.js';
import { shortId } from './formatSnapshot.js';
import { formatBytes } from '../core/size.js';
import { formatCount } from './formatCount.js';

const SHOWN = 10;

function listed(paths: string[]): string[] {
  const out = paths.slice(0, SHOWN).map((p) => `    ${p}`);
  if (paths.length > SHOWN) out.push(`    ... and ${paths.length - SHOWN} more`);
  return out;
}

export function formatRepair(r: RepairReport): string {
  const ix = r.index;
  const lines = [`index rebuilt from ${formatCount(ix.packs, 'pack')}: ${formatCount(ix.blocks, 'block')}`
    + (ix.duplicates ? `, ${formatCount(ix.duplicates, 'duplicate copy', 'duplicate copies')} skipped` : '')
    + (ix.unsealed ? `; ${formatCount(ix.unsealed, 'unsealed pack')} in packs/tmp` : '')];
  for (const p of ix.problems) lines.push(`  pack ${p.pack}: ${p.problem}`);
  for (const d of ix.damaged) lines.push(`  left out damaged block ${d.address} (pack ${d.pack} offset ${d.offset})`);
  for (const s of r.salvaged) {
    lines.push(`salvaged pack ${s.pack}: ${formatCount(s.kept, 'block')} kept` + (s.newPack ? ` in pack ${s.newPack}` : '')
      + (s.lost.length ? `, ${s.lost.length} damaged left behind` : '') + '; the old pack is deleted');
  }
  const u = r.unsealed;
  if (u.packs || u.removed) {
    lines.push(`kept ${formatCount(u.blocks, 'block')} (${formatBytes(u.rawBytes)}) from ${formatCount(u.packs, 'unsealed pack')} left by interrupted writers`
      + (u.removed ? `; removed ${formatCount(u.removed, 'unsealed pack')} with nothing to keep` : ''));
  }
  lines.push(`catalog rebuilt from ${formatCount(r.catalog.snapshots, 'snapshot file')}`);
  for (const s of r.catalog.setAside) lines.push(`  quarantined ${s.file}: ${s.reason}`);
  for (const l of r.live) {
    lines.push(l.snapshot ? `committed the live tree of ${l.host} a writable mount left (${formatCount(l.changes, 'change')}) as snapshot ${shortId(l.snapshot)}`
      : `cannot commit the live tree of ${l.host} a writable mount left (${formatCount(l.changes, 'change')}): ${l.problem}`);
  }
  const replaced = new Map(r.rewritten.map((w) => [w.from, w]));
  for (const s of r.damagedSnapshots) {
    const what = s.action === 'rewritten' ? `: rewritten as ${shortId(s.replacedBy!)} without ${formatCount(s.paths.length, 'path')}`
      : s.action === 'forgotten' ? ': its root tree cannot be read; forgotten'
      : s.rootUnreadable ? ': its root tree cannot be read; kept' : '; kept';
    lines.push(`snapshot ${shortId(s.id)} (${s.time}) needs ${formatCount(s.missingBlocks, 'block that is', 'blocks that are')} gone${what}`);
    lines.push(...listed(replaced.get(s.id)?.dropped ?? s.paths));
  }
  if (!r.damagedSnapshots.length) lines.push('every snapshot has all its blocks');
  return lines.join('\n') + '\n';
}

/** What to do next, when some snapshot still needs blocks that are gone; undefined when nothing is left to do. */
export function repairHint(r: RepairReport): string | undefined {
  const kept = r.damagedSnapshots.filter((s) => s.action === 'kept');
  if (!kept.length) return undefined;
  const hints: string[] = [];
  if (kept.some((s) => !s.rootUnreadable)) {
    hints.push('re-ingest a source that still holds the listed files: the next ingest stores their blocks again and every snapshot that needs them is whole again; '
      + "or run 'dedupfs repair --drop-damaged' to keep those snapshots without the damaged files");
  }
  if (kept.some((s) => s.rootUnreadable)) {
    hints.push('re-ingest the source of a snapshot whose root tree cannot be read: unchanged, it brings the tree back; '
      + "if it cannot, nothing of that snapshot is restorable and 'dedupfs repair --forget-unreadable' forgets it");
  }
  return hints.join('; ');
}
