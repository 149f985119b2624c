// How `diff` shows its items: one line each in the style of restic's diff (+ added, - removed,
// M content changed, U metadata only, T type changed; folders end with "/"), and the --json
// objects, {"type":"added"|"removed"|"changed", ...} then {"type":"summary", ...}.
import { formatBytes } from '../core/size.js';
import type { DiffItem } from '../diff/diffTrees.js';
import type { DiffSummary } from '../diff/diffSummary.js';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import type { TreeEntry } from '../tree/entry.js';
import { escapeName } from '../tree/nameEscape.js';
import { shortId } from './formatSnapshot.js';

function marker(item: DiffItem): string {
  if (item.change === 'added') return '+';
  if (item.change === 'removed') return '-';
  return item.aspects.includes('type') ? 'T' : item.aspects.includes('content') ? 'M' : 'U';
}

function shownPath(item: DiffItem): string {
  const entry = item.after ?? item.before!;
  return (escapeName(item.path) || '/') + (entry.kind === 'dir' && item.path.length ? '/' : '');
}

function sizeOf(entry: TreeEntry | undefined): string | undefined {
  return entry?.kind === 'file' ? formatBytes(entry.size) : undefined;
}

/** "+ /a/new.txt (12 KiB)", "M /a/log (1 KiB -> 2 KiB)", "U /etc/", "T /a/x (- -> 3 B)". */
export function formatDiffLine(item: DiffItem): string {
  const mark = marker(item);
  const before = sizeOf(item.before), after = sizeOf(item.after);
  const sizes = mark === 'U' ? undefined : mark === 'T' || (mark === 'M' && before !== after) ? `${before ?? '-'} -> ${after ?? '-'}` : before ?? after;
  return `${mark} ${shownPath(item)}${sizes ? ` (${sizes})` : ''}\n`;
}

/** The --json object of one item. */
export function diffJson(item: DiffItem): Record<string, unknown> {
  const entry = item.after ?? item.before!;
  const out: Record<string, unknown> = {
    type: item.change, path: escapeName(item.path) || '/', path_base64: item.path.toString('base64'), kind: entry.kind,
  };
  if (item.change === 'changed') {
    Object.assign(out, { aspects: item.aspects, kind_before: item.before!.kind, size_before: item.before!.size, size_after: item.after!.size });
  } else {
    out.size = entry.size;
  }
  return out;
}

/** "1a2b3c4d -> 5e6f7a8b: 3 added, 1 removed, 2 changed (1 content, 1 metadata, 0 type); 12 KiB added, 2 KiB removed". */
export function formatDiffSummary(before: Snapshot, after: Snapshot, s: DiffSummary): string {
  return `${shortId(before.id)} -> ${shortId(after.id)}: ${s.added} added, ${s.removed} removed, `
    + `${s.changed} changed (${s.content} content, ${s.metadata} metadata, ${s.type} type); ${formatBytes(s.bytesAdded)} added, ${formatBytes(s.bytesRemoved)} removed\n`;
}

export function diffSummaryJson(before: Snapshot, after: Snapshot, s: DiffSummary): Record<string, unknown> {
  return {
    type: 'summary', before: before.id, after: after.id, added: s.added, removed: s.removed, changed: s.changed,
    content: s.content, metadata: s.metadata, type_changes: s.type, bytes_added: s.bytesAdded, bytes_removed: s.bytesRemoved,
  };
}
