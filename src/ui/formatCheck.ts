// How `dedupfs check` reports: what was checked; the problems with packs, index entries and
// blocks (long lists cut short; --json has them all); then, per damaged snapshot, the paths that
// need a damaged or missing block; damaged snapshot files and unsafe names; then a verdict. What
// to do next is checkHint's one line (stderr, and `hint` in --json); every hint keeps history.
import type { CheckReport, DamagedBlock } from '../lifecycle/check.js';
import { formatBytes } from '../core/size.js';
import { shortId } from './formatSnapshot.js';
import { formatCount } from './formatCount.js';

const SHOWN = 10;

function capped<T>(items: T[], line: (item: T) => string, indent = ''): string[] {
  const out = items.slice(0, SHOWN).map(line);
  if (items.length > SHOWN) out.push(`${indent}... and ${items.length - SHOWN} more`);
  return out;
}

// Snapshot id -> time and the paths that need a damaged block.
function bySnapshot(blocks: DamagedBlock[]): Map<string, { time: string; blocks: number; paths: Set<string> }> {
  const out = new Map<string, { time: string; blocks: number; paths: Set<string> }>();
  for (const b of blocks) {
    for (const s of b.snapshots) {
      const entry = out.get(s.id) ?? { time: s.time, blocks: 0, paths: new Set<string>() };
      entry.blocks++;
      for (const p of s.paths) entry.paths.add(p);
      out.set(s.id, entry);
    }
  }
  return out;
}

export function formatCheck(r: CheckReport): string {
  const lines = [`checked ${formatCount(r.snapshots, 'snapshot')}, ${formatCount(r.packs, 'pack')}, ${formatCount(r.indexEntries, 'index entry', 'index entries')}; the snapshots need ${formatCount(r.referencedBlocks, 'block')}`];
  if (r.readData) {
    lines.push(`read ${formatBytes(r.readData.bytes)}: ${formatCount(r.readData.blocks, 'block')} in ${formatCount(r.readData.packs, 'pack')}`
      + (r.readData.subset ? ` (subset ${r.readData.subset})` : ''));
  }
  lines.push(...capped(r.packProblems, (p) => `pack ${p.pack}: ${p.problem}`));
  if (r.indexProblems.length) {
    lines.push(`${formatCount(r.indexProblems.length, 'index entry names', 'index entries name')} no valid record:`);
    lines.push(...capped(r.indexProblems, (p) => `  block ${p.address}: ${p.problem}`, '  '));
  }
  if (r.damagedBlocks.length) {
    lines.push(`${formatCount(r.damagedBlocks.length, 'damaged or missing block')}:`);
    lines.push(...capped(r.damagedBlocks, (b) => `  block ${b.address}${b.pack ? ` (pack ${b.pack} offset ${b.offset})` : ''}: ${b.reason}`
      + (b.snapshots.length ? '' : '; no snapshot needs it'), '  '));
  }
  for (const [id, s] of bySnapshot(r.damagedBlocks)) {
    lines.push(`snapshot ${shortId(id)} (${s.time}) needs ${s.blocks} of them, in ${formatCount(s.paths.size, 'path')}:`);
    lines.push(...capped([...s.paths].sort(), (p) => `    ${p}`, '    '));
  }
  lines.push(...capped(r.snapshotFiles, (f) => `snapshot file ${f.file} ${f.problem}`));
  if (r.unsafeNames.length) {
    lines.push(`${formatCount(r.unsafeNames.length, 'unsafe or repeated name')} in trees:`);
    lines.push(...capped(r.unsafeNames, (n) => `  tree ${n.tree}: ${n.problem} (${n.name})`, '  '));
  }
  if (r.configSuspect) lines.push(`${r.configSuspect}; nothing was marked bad`);
  if (r.markError) lines.push(`note: the damaged copies stay in the index: ${r.markError}`);
  if (r.markedBad) lines.push(`${formatCount(r.markedBad, 'damaged copy was', 'damaged copies were')} taken out of the index, so the next ingest stores those blocks again`);
  if (r.unindexedBlocks) lines.push(`note: ${formatCount(r.unindexedBlocks, 'block in packs is', 'blocks in packs are')} not in the index`);
  if (r.unreferencedBlocks) lines.push(`note: ${formatCount(r.unreferencedBlocks, 'block is', 'blocks are')} not needed by any snapshot (gc reclaims them)`);
  if (r.unsealedPacks) lines.push(`note: ${formatCount(r.unsealedPacks, 'unsealed pack')} in packs/tmp (the next ingest or repair keeps what they hold; gc removes them)`);
  if (r.damagedSpares) lines.push(`note: ${formatCount(r.damagedSpares, 'damaged copy', 'damaged copies')} of blocks the index does not use (gc drops them)`);
  lines.push(...capped(r.strays, (s) => `note: ${s} is not a pack`));
  if (r.ok) return lines.concat('no errors found').join('\n') + '\n';
  lines.push(`errors found: ${formatCount(r.packProblems.length, 'pack problem')}, ${formatCount(r.indexProblems.length, 'bad index entry', 'bad index entries')}, `
    + `${formatCount(r.damagedBlocks.length, 'damaged or missing block')}, ${formatCount(r.snapshotFiles.length, 'damaged snapshot file')}, ${formatCount(r.unsafeNames.length, 'unsafe name')}`);
  return lines.join('\n') + '\n';
}

/** What to do about what check found, in one line; undefined when all is well. */
export function checkHint(r: CheckReport): string | undefined {
  if (r.ok) return undefined;
  if (r.configSuspect) return 'put back the config.json the repository was created with (hash and compression cannot change after init); do not run repair until check --read-data passes';
  const hints: string[] = [];
  const structural = r.packProblems.length || r.indexProblems.length || r.snapshotFiles.length || r.unindexedBlocks;
  if (structural) {
    hints.push("run 'dedupfs repair --read-data': it rebuilds the index and the catalog, salvages damaged packs, quarantines damaged snapshot files "
      + 'and lists what is lost by snapshot and path, keeping every snapshot');
  }
  if (r.damagedBlocks.some((b) => b.snapshots.length)) {
    hints.push(`${structural ? 'then ' : ''}re-ingest a source that still holds the listed files: that stores their blocks again and heals every snapshot that needs them; `
      + "if no source holds them any more, 'dedupfs repair --drop-damaged' keeps those snapshots without them");
  }
  if (r.unsafeNames.length) hints.push('trees with unsafe names were not written by dedupfs ingest: restore them only into an empty folder and look before you trust them');
  return hints.join('; ');
}
