// SNAPSHOT[:PATH] to an entry: picks the snapshot from the catalog by its selector and finds the
// path inside its root tree. The first step of ls, cat and restore alike.
import { addressFromHex } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import { selectSnapshot } from '../catalog/selectSnapshot.js';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import type { Repository } from '../repo/repository.js';
import { resolvePath, type ResolvedPath } from '../tree/resolvePath.js';

export interface SnapshotPathOptions {
  /** a snapshot selector: id, hex prefix of 4+ digits, latest, latest~N */
  snapshot: string;
  /** a path inside it, "/" (the default) for its root */
  path?: string;
}

export interface LocatedPath extends ResolvedPath { snapshot: Snapshot }

/** Throws DedupfsError SNAPSHOT for a bad selector, NOT_FOUND (naming the snapshot) for a missing path. */
export async function locateSnapshotPath(repo: Repository, opts: SnapshotPathOptions): Promise<LocatedPath> {
  const snapshot = selectSnapshot(repo.catalog.list(), opts.snapshot);
  try {
    return { snapshot, ...(await resolvePath(repo.store, addressFromHex(snapshot.root), opts.path ?? '/')) };
  } catch (err) {
    if (!(err instanceof DedupfsError) || err.code !== 'NOT_FOUND') throw err;
    throw new DedupfsError('NOT_FOUND', `${err.message} in snapshot ${snapshot.id.slice(0, 8)}`, { data: { ...err.data, snapshot: snapshot.id }, cause: err });
  }
}

/** The length of the folder part of a located path ("/etc" of "/etc/hosts"; 0 for the root). */
export function parentPathLength(loc: ResolvedPath): number {
  return loc.isRoot ? 0 : loc.path.length - loc.entry.name.length - 1;
}
