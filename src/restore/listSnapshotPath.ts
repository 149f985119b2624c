// `ls`: the entries of a folder in a snapshot (recursively with -R), or the one entry a file
// path names. Entries come as a stream in name order, so listing a huge tree takes little memory.
import type { Snapshot } from '../catalog/snapshotRecord.js';
import type { Repository } from '../repo/repository.js';
import { walkTree, type TreeItem } from '../tree/walkTree.js';
import { locateSnapshotPath, parentPathLength, type SnapshotPathOptions } from './locateSnapshotPath.js';

export interface ListOptions extends SnapshotPathOptions {
  /** descend into sub-folders */
  recursive?: boolean;
}

export interface Listing {
  snapshot: Snapshot;
  /** the listed path, "/a/b" bytes (empty for the root) */
  path: Buffer;
  /** item.path.subarray(base + 1) is the item's path relative to the listed folder */
  base: number;
  items: AsyncGenerator<TreeItem>;
}

export async function listSnapshotPath(repo: Repository, opts: ListOptions): Promise<Listing> {
  const loc = await locateSnapshotPath(repo, opts);
  if (loc.entry.kind === 'dir' && loc.entry.subtree) {
    return { snapshot: loc.snapshot, path: loc.path, base: loc.path.length, items: walkTree(repo.store, loc.entry.subtree, { path: loc.path, recursive: opts.recursive }) };
  }
  async function* single(): AsyncGenerator<TreeItem> {
    yield { entry: loc.entry, path: loc.path, depth: 0 };
  }
  return { snapshot: loc.snapshot, path: loc.path, base: parentPathLength(loc), items: single() };
}
