// Splits snapshots into the groups a retention policy is applied to independently, as
// `forget --group-by host,paths` does: by default each host and set of backed-up paths keeps its
// own history, so a busy laptop never pushes a quiet server's snapshots out of the policy.
import type { GroupBy, GroupKey, RetentionSnapshot } from './retention.js';

export interface SnapshotGroup { key: GroupKey; snapshots: RetentionSnapshot[] }

/**
 * Groups snapshots by the fields in `groupBy` (path and tag lists compared as sorted sets).
 * Groups come out ordered by key, each group's snapshots newest first, equal times ordered by
 * id, so the result does not depend on the input order.
 */
export function groupSnapshots(snapshots: RetentionSnapshot[], groupBy: GroupBy): SnapshotGroup[] {
  const groups = new Map<string, SnapshotGroup>();
  for (const snapshot of snapshots) {
    const key = groupKey(snapshot, groupBy);
    const id = JSON.stringify([key.host, key.paths, key.tags]);
    let group = groups.get(id);
    if (!group) groups.set(id, group = { key, snapshots: [] });
    group.snapshots.push(snapshot);
  }
  for (const group of groups.values()) group.snapshots.sort(newestFirst);
  return [...groups.values()].sort((a, b) => compareKeys(a.key, b.key));
}

function groupKey(snapshot: RetentionSnapshot, groupBy: GroupBy): GroupKey {
  const key: GroupKey = {};
  if (groupBy.includes('host')) key.host = snapshot.host;
  if (groupBy.includes('paths')) key.paths = [...snapshot.paths].sort(compare);
  if (groupBy.includes('tags')) key.tags = [...snapshot.tags].sort(compare);
  return key;
}

function newestFirst(a: RetentionSnapshot, b: RetentionSnapshot): number {
  return b.time.getTime() - a.time.getTime() || compare(a.id, b.id);
}

// Host, then paths, then tags; lists compared element by element, a prefix first.
function compareKeys(a: GroupKey, b: GroupKey): number {
  return compare(a.host ?? '', b.host ?? '') || compareLists(a.paths ?? [], b.paths ?? []) || compareLists(a.tags ?? [], b.tags ?? []);
}

function compareLists(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compare(a[i], b[i]);
    if (c) return c;
  }
  return a.length - b.length;
}

// Code-unit order, not localeCompare: the same on every machine and locale.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
