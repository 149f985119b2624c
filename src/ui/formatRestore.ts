// Human text for `restore`: the summary, and the lines of --dry-run.
import { formatBytes } from '../core/size.js';
import type { RestoreResult } from '../restore/restoreResult.js';
import { formatCount } from './formatCount.js';

export function formatRestoreSummary(r: RestoreResult): string {
  const parts = [formatCount(r.files, 'file'), formatCount(r.dirs, 'folder')];
  if (r.symlinks) parts.push(formatCount(r.symlinks, 'symlink'));
  if (r.special) parts.push(formatCount(r.special, 'special file'));
  const lines = [`${r.dryRun ? 'dry run: would restore' : 'restored'} ${parts.join(', ')}, ${formatBytes(r.bytes)} ${r.dryRun ? 'into' : 'to'} ${r.target}`];
  if (r.hardLinks) lines.push(`  ${r.hardLinks} of the ${r.files === 1 ? 'file' : 'files'} ${r.dryRun ? 'would be' : 'were'} made as hard links`);
  if (r.skipped) lines.push(`  ${formatCount(r.skipped, 'socket')} skipped (only their metadata is kept)`);
  if (r.unchanged) lines.push(`  ${r.unchanged} already in place and identical, left alone`);
  if (r.kept) lines.push(`  ${r.kept} already in place and different, kept (--overwrite if-changed replaces them)`);
  if (r.deleted) lines.push(`  ${r.deleted} not in the snapshot, ${r.dryRun ? 'would be deleted' : 'deleted'}`);
  if (r.warnings || r.errors) lines.push(`  ${formatCount(r.warnings, 'warning')}, ${formatCount(r.errors, 'error')} (see above)`);
  return lines.join('\n') + '\n';
}

export function formatDryRunItem(item: { path: string; kind: string }): string {
  return `would restore ${item.kind === 'dir' ? `${item.path}/` : item.path}\n`;
}
