// How `find` shows a match: one line each (snapshot, its time, size, mtime and the path, all
// times in UTC), a closing count, and the --json objects {"type":"match"} and {"type":"summary"}.
import { formatBytes } from '../core/size.js';
import type { FindMatch } from '../find/findInSnapshots.js';
import { escapeName } from '../tree/nameEscape.js';
import { shortId } from './formatSnapshot.js';

/** "2026-11-30 12:00:00Z" from an ISO time. */
function utc(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function mtimeIso(m: FindMatch): string {
  return new Date(Number(m.entry.mtimeNs / 1_000_000n)).toISOString();
}

/** "1a2b3c4d  2026-11-30 12:00:00Z      12 KiB  2026-11-29 08:15:00Z  /etc/hosts" (folders end with "/"). */
export function formatFindLine(m: FindMatch): string {
  const size = m.entry.kind === 'file' ? formatBytes(m.entry.size) : m.entry.kind;
  return `${shortId(m.snapshot.id)}  ${utc(m.snapshot.time)}  ${size.padStart(10)}  ${utc(mtimeIso(m))}  ${escapeName(m.path)}${m.entry.kind === 'dir' ? '/' : ''}\n`;
}

export function findJson(m: FindMatch): Record<string, unknown> {
  return {
    type: 'match', snapshot: m.snapshot.id, snapshot_time: m.snapshot.time, host: m.snapshot.host,
    path: escapeName(m.path), path_base64: m.path.toString('base64'), kind: m.entry.kind, size: m.entry.size,
    mtime: mtimeIso(m), mtime_ns: m.entry.mtimeNs.toString(),
  };
}

export interface FindCounts { matches: number; snapshotsMatched: number; snapshots: number }

/** "3 matches in 2 of 5 snapshots". */
export function formatFindSummary(c: FindCounts): string {
  return `${c.matches} ${c.matches === 1 ? 'match' : 'matches'} in ${c.snapshotsMatched} of ${c.snapshots} ${c.snapshots === 1 ? 'snapshot' : 'snapshots'}\n`;
}

export function findSummaryJson(c: FindCounts): Record<string, unknown> {
  return { type: 'summary', matches: c.matches, snapshots_matched: c.snapshotsMatched, snapshots: c.snapshots };
}
