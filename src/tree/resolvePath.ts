// Finds the entry a path names inside a snapshot's root tree, reading one tree block per
// component. Paths are written as ls prints them (see nameEscape.ts), so names that are not
// UTF-8 can be reached; "." and ".." are taken lexically and never climb above the root.
import type { Address } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import type { BlockReader } from '../core/blocks.js';
import type { TreeEntry } from './entry.js';
import { escapeName, unescapeName } from './nameEscape.js';
import { decodeTree } from './treeCodec.js';

export interface ResolvedPath {
  /** the entry; for the root, a folder entry with an empty name whose subtree is the root */
  entry: TreeEntry;
  /** the entry's path as bytes, "/a/b"; empty for the root */
  path: Buffer;
  isRoot: boolean;
}

const SLASH = Buffer.from('/');

/** Splits "/a/b" into name bytes, unescaping each component and applying "." and "..". */
export function parseTreePath(path: string): Buffer[] {
  const names: Buffer[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') names.pop();
    else names.push(unescapeName(part));
  }
  return names;
}

/** Joins name components back into "/a/b" bytes (empty for the root). */
export function joinTreePath(names: Buffer[]): Buffer {
  return Buffer.concat(names.flatMap((n) => [SLASH, n]));
}

/** A folder entry standing for the root tree, which has no entry (and no metadata) of its own. */
export function rootEntry(root: Address): TreeEntry {
  return {
    name: Buffer.alloc(0), kind: 'dir', mode: 0o40755, uid: 0, gid: 0, size: 0,
    mtimeNs: 0n, atimeNs: 0n, ctimeNs: 0n, ino: 0, nlink: 1, subtree: root,
  };
}

/**
 * Resolves `path` ("/etc/hosts", or name components) under the tree `root`.
 * Throws DedupfsError('NOT_FOUND') naming the path when a component is missing or is not a folder.
 */
export async function resolvePath(store: BlockReader, root: Address, path: string | Buffer[]): Promise<ResolvedPath> {
  const names = typeof path === 'string' ? parseTreePath(path) : path;
  let entry = rootEntry(root);
  for (let i = 0; i < names.length; i++) {
    if (entry.kind !== 'dir' || !entry.subtree) {
      throw new DedupfsError('NOT_FOUND', `${escapeName(joinTreePath(names.slice(0, i)))} is not a folder`, { data: { path: escapeName(joinTreePath(names)) } });
    }
    const found = decodeTree(await store.get(entry.subtree)).find((e) => e.name.equals(names[i]));
    if (!found) throw new DedupfsError('NOT_FOUND', `${escapeName(joinTreePath(names.slice(0, i + 1)))} does not exist`, { data: { path: escapeName(joinTreePath(names)) } });
    entry = found;
  }
  return { entry, path: joinTreePath(names), isRoot: names.length === 0 };
}
