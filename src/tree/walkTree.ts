// Iterates over the entries under a folder of a snapshot, with their paths, depth-first and in
// name order (the order tree blocks keep). Only the trees along the current path are held in
// memory, so a walk over millions of files stays small. Consumers (ls -R, restore) may skip a
// folder's contents by setting `prune` on its item before asking for the next one.
import type { Address } from '../core/address.js';
import type { BlockReader } from '../core/blocks.js';
import type { TreeEntry } from './entry.js';
import { decodeTree } from './treeCodec.js';

export interface TreeItem {
  entry: TreeEntry;
  /** "/a/b" bytes: the folder's path, a slash, the entry's name */
  path: Buffer;
  /** 0 for the folder's own entries, 1 for theirs, ... */
  depth: number;
  /** set by the consumer: do not descend into this folder */
  prune?: boolean;
}

export interface WalkTreeOptions {
  /** the path of the folder whose tree is walked (default: the root, empty) */
  path?: Buffer;
  /** descend into sub-folders (default false: the folder's own entries only) */
  recursive?: boolean;
  /** added to every depth */
  depth?: number;
  /**
   * Called when a sub-folder's tree cannot be read; the walk then skips that folder and goes on.
   * Without it the error is thrown. (The first tree, `dir` itself, always throws.)
   */
  onDamaged?: (err: unknown, item: TreeItem) => void;
}

const SLASH = Buffer.from('/');

interface Level { entries: TreeEntry[]; next: number; path: Buffer }

export async function* walkTree(store: BlockReader, dir: Address, opts: WalkTreeOptions = {}): AsyncGenerator<TreeItem> {
  const base = opts.depth ?? 0;
  const stack: Level[] = [{ entries: decodeTree(await store.get(dir)), next: 0, path: opts.path ?? Buffer.alloc(0) }];
  while (stack.length) {
    const level = stack[stack.length - 1];
    if (level.next >= level.entries.length) {
      stack.pop();
      continue;
    }
    const entry = level.entries[level.next++];
    const item: TreeItem = { entry, path: Buffer.concat([level.path, SLASH, entry.name]), depth: base + stack.length - 1 };
    yield item;
    if (!opts.recursive || item.prune || entry.kind !== 'dir' || !entry.subtree) continue;
    let entries: TreeEntry[];
    try {
      entries = decodeTree(await store.get(entry.subtree));
    } catch (err) {
      if (!opts.onDamaged) throw err;
      opts.onDamaged(err, item);
      continue;
    }
    stack.push({ entries, next: 0, path: item.path });
  }
}
