// How `dedupfs forget` shows its decisions: per group, every snapshot kept (with the rules that
// keep it) and every snapshot removed, newest first, then what happened.
import type { ForgetItem, ForgetReport } from '../lifecycle/forget.js';
import { describeGroup } from '../lifecycle/forget.js';
import { formatTable, shortId } from './formatSnapshot.js';
import { formatCount } from './formatCount.js';

const when = (time: string) => time.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

export function formatForget(report: ForgetReport): string {
  const out: string[] = [];
  for (const group of report.groups) {
    const items = [...group.keep.map((i) => ['keep', i] as const), ...group.remove.map((i) => ['remove', i] as const)]
      .sort((a, b) => (a[1].time < b[1].time ? 1 : a[1].time > b[1].time ? -1 : 0));
    const row = (action: string, i: ForgetItem) => [action, shortId(i.id), when(i.time), i.reasons.join(', ')];
    out.push(`${describeGroup(group.key)}: keep ${group.keep.length}, remove ${group.remove.length}\n`
      + formatTable(['Action', 'ID', 'Time', 'Reasons'], items.map(([action, i]) => row(action, i))));
  }
  const what = formatCount(report.removed.length, 'snapshot');
  out.push(report.dryRun ? `dry run: would remove ${what}, keep ${report.kept}\n` : `removed ${what}, kept ${report.kept}\n`);
  return out.join('\n');
}
