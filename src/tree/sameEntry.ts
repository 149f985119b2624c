// Whether an entry met by the walk is the one a previous snapshot holds, in everything but its
// access time. Ingest keeps the previous entry then (and a folder whose entries all match keeps
// its previous tree block), so reading a tree, which moves atimes, does not rewrite its folders.
import type { FileContent, TreeEntry } from './entry.js';

const sameBytes = (a: Buffer | undefined, b: Buffer | undefined) => (a === undefined || b === undefined ? a === b : a.equals(b));

function sameXattrs(a: TreeEntry['xattrs'], b: TreeEntry['xattrs']): boolean {
  if (!a?.length || !b?.length) return !a?.length && !b?.length;
  return a.length === b.length && a.every(([k, v], i) => k === b[i][0] && v.equals(b[i][1]));
}

function sameContent(a: FileContent | undefined, b: FileContent | undefined): boolean {
  if (a === b) return true; // an unchanged file's entry takes the previous one's content as is
  if (!a || !b) return false;
  if ('chunks' in a) {
    return 'chunks' in b && a.chunks.length === b.chunks.length
      && a.chunks.every((c, i) => c.length === b.chunks[i].length && c.address.equals(b.chunks[i].address));
  }
  return 'lists' in b && a.lists.length === b.lists.length
    && a.lists.every((l, i) => l.chunks === b.lists[i].chunks && l.bytes === b.lists[i].bytes && l.address.equals(b.lists[i].address));
}

/** true when `a` and `b` differ at most in atime. */
export function sameButAtime(a: TreeEntry, b: TreeEntry): boolean {
  return a.kind === b.kind && a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.user === b.user && a.group === b.group
    && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino && a.nlink === b.nlink
    && a.rdev === b.rdev && a.linkId === b.linkId && a.name.equals(b.name) && sameBytes(a.target, b.target)
    && sameBytes(a.subtree, b.subtree) && sameXattrs(a.xattrs, b.xattrs) && sameContent(a.content, b.content);
}
