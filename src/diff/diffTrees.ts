// What changed between two trees, entry by entry, as a stream in name order. Trees are content
// addressed: a sub-folder whose address is the same on both sides holds the same bytes, so the
// walk never reads it. Only folders that differ are decoded, which makes the diff of two
// snapshots of a large, mostly unchanged tree cost a few tree reads.
import type { Address } from '../core/address.js';
import type { BlockReader } from '../core/blocks.js';
import type { FileContent, TreeEntry } from '../tree/entry.js';
import { decodeTree } from '../tree/treeCodec.js';
import { walkTree } from '../tree/walkTree.js';

/** What differs in an entry present on both sides. */
export type DiffAspect = 'content' | 'metadata' | 'type';

export interface DiffItem {
  change: 'added' | 'removed' | 'changed';
  /** "/a/b" bytes, as ls shows paths */
  path: Buffer;
  /** the entry in the first tree (removed, changed) */
  before?: TreeEntry;
  /** the entry in the second tree (added, changed) */
  after?: TreeEntry;
  /** for changed entries: what differs (a type change says only 'type') */
  aspects: DiffAspect[];
}

const SLASH = Buffer.from('/');

/**
 * Compares the entries `before` and `after` found at `path` (either may be missing) and,
 * for folders, everything below them.
 */
export async function* diffEntries(store: BlockReader, before: TreeEntry | undefined, after: TreeEntry | undefined, path: Buffer): AsyncGenerator<DiffItem> {
  if (!before || !after) {
    if (before) yield* whole(store, 'removed', before, path, true);
    if (after) yield* whole(store, 'added', after, path, true);
    return;
  }
  if (before.kind !== after.kind) {
    yield { change: 'changed', path, before, after, aspects: ['type'] };
    yield* whole(store, 'removed', before, path, false);
    yield* whole(store, 'added', after, path, false);
    return;
  }
  const aspects: DiffAspect[] = [];
  if (!sameContent(before, after)) aspects.push('content');
  if (!sameMetadata(before, after)) aspects.push('metadata');
  if (aspects.length) yield { change: 'changed', path, before, after, aspects };
  if (before.subtree && after.subtree) yield* diffTrees(store, before.subtree, after.subtree, path);
}

/** The changes between the folders whose trees are `before` and `after`, at `path`. */
export async function* diffTrees(store: BlockReader, before: Address, after: Address, path: Buffer): AsyncGenerator<DiffItem> {
  if (before.equals(after)) return;
  const [olds, news] = await Promise.all([store.get(before), store.get(after)]).then((blocks) => blocks.map(decodeTree));
  let i = 0, j = 0;
  while (i < olds.length || j < news.length) {
    const order = i >= olds.length ? 1 : j >= news.length ? -1 : Buffer.compare(olds[i].name, news[j].name);
    const old = order <= 0 ? olds[i++] : undefined;
    const neu = order >= 0 ? news[j++] : undefined;
    yield* diffEntries(store, old, neu, Buffer.concat([path, SLASH, (old ?? neu)!.name]));
  }
}

/** An entry that is only on one side, with everything below it (`self`: the entry itself too). */
async function* whole(store: BlockReader, change: 'added' | 'removed', entry: TreeEntry, path: Buffer, self: boolean): AsyncGenerator<DiffItem> {
  const side = (e: TreeEntry) => (change === 'added' ? { after: e } : { before: e });
  if (self) yield { change, path, ...side(entry), aspects: [] };
  if (entry.kind !== 'dir' || !entry.subtree) return;
  for await (const item of walkTree(store, entry.subtree, { path, recursive: true })) yield { change, path: item.path, ...side(item.entry), aspects: [] };
}

function sameContent(a: TreeEntry, b: TreeEntry): boolean {
  if (a.kind === 'file') return a.size === b.size && sameChunks(a.content, b.content);
  if (a.kind === 'symlink') return !!a.target && !!b.target && a.target.equals(b.target);
  if (a.kind === 'chardev' || a.kind === 'blockdev') return a.rdev === b.rdev;
  return true;
}

function sameChunks(a: FileContent | undefined, b: FileContent | undefined): boolean {
  const refs = (c: FileContent | undefined) => (!c ? [] : 'chunks' in c ? c.chunks.map((r) => r.address) : c.lists.map((l) => l.address));
  const x = refs(a), y = refs(b);
  return x.length === y.length && x.every((addr, k) => addr.equals(y[k]));
}

/**
 * Mode, owner, xattrs and (except for folders) mtime. A folder's mtime moves whenever an entry
 * is added or removed, which the diff already shows, so it is left out; ctime, atime and the
 * inode number change on every copy and say nothing about the file.
 */
function sameMetadata(a: TreeEntry, b: TreeEntry): boolean {
  const xattrs = (e: TreeEntry) => JSON.stringify((e.xattrs ?? []).map(([k, v]) => [k, v.toString('base64')]));
  return a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && (a.kind === 'dir' || a.mtimeNs === b.mtimeNs) && xattrs(a) === xattrs(b);
}
