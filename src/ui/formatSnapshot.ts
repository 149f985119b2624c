// Human text for snapshots: the ingest summary and the `snapshots` table.
import type { Snapshot } from '../catalog/snapshotRecord.js';
import { formatBytes } from '../core/size.js';
import type { RecoverUnsealedResult } from '../store/index.js';
import { formatCount } from './formatCount.js';

export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function formatIngestSummary(s: Snapshot, dryRun: boolean): string {
  const lines = [
    dryRun ? 'dry run: nothing was written' : `snapshot ${shortId(s.id)} saved${s.partial ? ' (partial: some items could not be read)' : ''}`,
    `  ${formatCount(s.files, 'file')}, ${formatCount(s.dirs, 'folder')}, ${formatBytes(s.bytes)}`,
    `  added ${formatBytes(s.added.rawBytes)} in ${formatCount(s.added.blocks, 'new block')}, ${formatBytes(s.added.storedBytes)} stored`,
  ];
  if (s.warnings) lines.push(`  ${formatCount(s.warnings, 'warning')}`);
  return lines.join('\n') + '\n';
}

/** The line ingest prints when it kept what an interrupted ingest had stored. */
export function formatRecovered(r: RecoverUnsealedResult): string {
  return `kept ${formatBytes(r.rawBytes)} in ${r.blocks} blocks that an interrupted ingest had stored (from ${r.packs} packs left in packs/tmp)`;
}

export function formatSnapshotTable(snaps: Snapshot[]): string {
  const rows = snaps.map((s) => [shortId(s.id), s.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), s.host, s.tags.join(','),
    s.paths.join(' '), String(s.files), formatBytes(s.bytes), formatBytes(s.added.storedBytes) + (s.partial ? ' (partial)' : '')]);
  return formatTable(['ID', 'Time', 'Host', 'Tags', 'Paths', 'Files', 'Size', 'Added'], rows) + `${formatCount(snaps.length, 'snapshot')}\n`;
}

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n';
  return line(header) + line(widths.map((w) => '-'.repeat(w))) + rows.map(line).join('');
}
