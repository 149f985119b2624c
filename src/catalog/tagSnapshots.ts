// `dedupfs tag`: changes the tags of snapshots without touching a block. A snapshot's id is the
// hash of its record, tags included, so a re-tagged snapshot gets a new id (as in restic); the
// new record keeps `original`, the id it was made with, and `replaces`, the id it replaces.
//
// Write order, per snapshot: the new file (temp, fsync, rename, fsync of the folder), then the
// old file is removed, then the catalog. A kill after the first step leaves both files; the
// catalog's sync leaves the older one out (staleTwins.ts) and the next tag deletes it. A kill
// later on leaves nothing a sync does not mend.
import { DedupfsError } from '../core/errors.js';
import type { Catalog } from './catalog.js';
import { selectSnapshot } from './selectSnapshot.js';
import { listSnapshotIds, removeSnapshotFile, snapshotId, writeSnapshotFile, type Snapshot } from './snapshotRecord.js';

export interface TagOptions {
  /** selectors of the snapshots to change */
  snapshots: string[];
  /** tags to add ... */
  add?: string[];
  /** ... and to remove; or */
  remove?: string[];
  /** the whole new set of tags (may be empty: --set '' removes every tag) */
  set?: string[];
}

export interface TagChange { before: Snapshot; after: Snapshot }

export interface TagReport {
  /** snapshots whose tags changed, with their new records */
  changed: TagChange[];
  /** snapshots that already had the tags asked for */
  unchanged: Snapshot[];
  /** stale twins left by an interrupted tag, deleted now */
  cleaned: string[];
}

/**
 * Re-tags the snapshots `opts.snapshots` names. The caller holds the repository lock.
 * @throws DedupfsError USAGE when no change is asked for, or --set is mixed with --add/--remove;
 *   SNAPSHOT for a bad selector (then nothing is changed).
 * @example await tagSnapshots(repo.catalog, repo.layout.snapshots, { snapshots: ['latest'], add: ['keep'] })
 */
export async function tagSnapshots(catalog: Catalog, snapshotDir: string, opts: TagOptions): Promise<TagReport> {
  const edit = tagEdit(opts);
  if (!opts.snapshots.length) throw new DedupfsError('USAGE', 'tag needs at least one snapshot', { hint: 'e.g. dedupfs tag latest --add keep' });
  const all = catalog.list();
  const chosen = new Map(opts.snapshots.map((sel) => selectSnapshot(all, sel)).map((s) => [s.id, s]));
  const report: TagReport = { changed: [], unchanged: [], cleaned: await deleteStaleTwins(all, snapshotDir) };
  for (const before of chosen.values()) {
    const tags = edit(before.tags);
    if (tags.length === before.tags.length && tags.every((t, i) => t === before.tags[i])) {
      report.unchanged.push(before);
      continue;
    }
    const { id, ...fields } = before;
    const record = { ...fields, tags, original: before.original ?? id, replaces: id };
    const after: Snapshot = { id: snapshotId(record), ...record };
    await writeSnapshotFile(snapshotDir, after, catalog.seal);
    await removeSnapshotFile(snapshotDir, id);
    catalog.insert(after);
    catalog.remove(id);
    report.changed.push({ before, after });
  }
  return report;
}

/** The function from old tags to new ones that the options ask for. */
function tagEdit(opts: TagOptions): (tags: string[]) => string[] {
  const add = opts.add ?? [], remove = opts.remove ?? [];
  if (opts.set && (add.length || remove.length)) throw new DedupfsError('USAGE', '--set replaces all tags: it cannot go with --add or --remove');
  if (!opts.set && !add.length && !remove.length) {
    throw new DedupfsError('USAGE', 'tag needs --add T, --remove T or --set T', { hint: "--set '' removes every tag" });
  }
  const unique = (tags: string[]) => [...new Set(tags.filter(Boolean))];
  if (opts.set) return () => unique(opts.set!);
  return (tags) => unique([...tags.filter((t) => !remove.includes(t)), ...add]);
}

/** Deletes the files of stale twins: on disk, not listed, and replaced by a listed record. */
async function deleteStaleTwins(listed: Snapshot[], snapshotDir: string): Promise<string[]> {
  const ids = new Set(listed.map((s) => s.id));
  const replaced = new Set(listed.map((s) => s.replaces));
  const stale = (await listSnapshotIds(snapshotDir)).filter((id) => !ids.has(id) && replaced.has(id));
  for (const id of stale) await removeSnapshotFile(snapshotDir, id);
  return stale;
}
