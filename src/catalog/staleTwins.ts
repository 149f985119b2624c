// `dedupfs tag` gives a re-tagged snapshot a new record (its id is the hash of the record, tags
// included) that names the record it replaces; the new file is durable before the old one is
// removed. A kill between the two steps leaves both files: the older one is a stale twin, and
// the catalog must not list one snapshot twice. The twin is recognised from the newer record
// alone, so it is left out by every sync (and by a catalog rebuilt by repair) until the next
// `dedupfs tag` deletes its file.
import type { Snapshot } from './snapshotRecord.js';

/** The ids among `onDisk` that one of `records` replaces. */
export function staleTwins(records: Iterable<Pick<Snapshot, 'replaces'>>, onDisk: Set<string>): Set<string> {
  const stale = new Set<string>();
  for (const r of records) if (r.replaces && onDisk.has(r.replaces)) stale.add(r.replaces);
  return stale;
}
