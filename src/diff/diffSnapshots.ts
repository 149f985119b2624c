// `dedupfs diff`: the changes between two snapshots, or between the same path in both. Each side
// is found the way ls and restore find a path (locateSnapshotPath.ts); a path that exists in
// only one snapshot is reported as added or removed as a whole.
import { DedupfsError } from '../core/errors.js';
import { selectSnapshot } from '../catalog/selectSnapshot.js';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import type { Repository } from '../repo/repository.js';
import { locateSnapshotPath, type LocatedPath } from '../restore/locateSnapshotPath.js';
import type { BlockReader } from '../core/blocks.js';
import { diffEntries, type DiffItem } from './diffTrees.js';

export interface DiffOptions {
  /** selectors of the two snapshots, older first by convention */
  before: string;
  after: string;
  /** a path inside both (default "/", the whole snapshot) */
  path?: string;
  /** where tree blocks are read (default repo.store) */
  store?: BlockReader;
}

export interface SnapshotDiff {
  before: Snapshot;
  after: Snapshot;
  items: AsyncGenerator<DiffItem>;
}

/**
 * @throws DedupfsError SNAPSHOT for a bad selector; NOT_FOUND when PATH is in neither snapshot.
 * @example for await (const item of (await diffSnapshots(repo, { before: 'latest~1', after: 'latest' })).items) ...
 */
export async function diffSnapshots(repo: Repository, opts: DiffOptions): Promise<SnapshotDiff> {
  const [before, after] = await Promise.all([locate(repo, opts.before, opts.path), locate(repo, opts.after, opts.path)]);
  if (before.missing && after.missing) throw before.missing;
  const path = (before.found ?? after.found)!.path;
  return {
    before: before.snapshot, after: after.snapshot,
    items: diffEntries(opts.store ?? repo.store, before.found?.entry, after.found?.entry, path),
  };
}

interface Side { snapshot: Snapshot; found?: LocatedPath; missing?: DedupfsError }

/** One side: the located path, or why it is not there (the snapshot itself must exist). */
async function locate(repo: Repository, selector: string, path = '/'): Promise<Side> {
  const snapshot = selectSnapshot(repo.catalog.list(), selector);
  try {
    return { snapshot, found: await locateSnapshotPath(repo, { snapshot: snapshot.id, path }) };
  } catch (err) {
    if (!(err instanceof DedupfsError) || err.code !== 'NOT_FOUND') throw err;
    return { snapshot, missing: err };
  }
}
