// Human text for `dedupfs copy`: a line per snapshot copied, then the totals.
import type { CopyReport } from '../lifecycle/copySnapshots.js';
import { formatBytes } from '../core/size.js';
import { formatCount } from './formatCount.js';
import { shortId } from './formatSnapshot.js';

export function formatCopy(r: CopyReport, to: string): string {
  const lines = r.copied.map((c) => `copied snapshot ${c.from ? `${shortId(c.from)} as ${shortId(c.id)}` : shortId(c.id)} (${c.time}): ${formatCount(c.blocks, 'new block')}, ${formatBytes(c.rawBytes)}`);
  const blocks = r.copied.reduce((n, c) => n + c.blocks, 0);
  const bytes = r.copied.reduce((n, c) => n + c.rawBytes, 0);
  lines.push(`${formatCount(r.copied.length, 'snapshot')} copied to ${to} (${formatCount(blocks, 'block')}, ${formatBytes(bytes)} sent), ${r.skipped.length} already there`);
  return lines.join('\n') + '\n';
}
