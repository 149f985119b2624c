// Turns an lstat result into the metadata part of a tree entry. Content (chunks, subtree,
// symlink target, xattrs) is filled in by the walker.
import type { BigIntStats } from 'node:fs';
import type { Address } from '../core/address.js';
import type { EntryKind, TreeEntry } from '../tree/entry.js';
import type { OwnerNames } from './ownerNames.js';

export function kindOf(st: BigIntStats): EntryKind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isCharacterDevice()) return 'chardev';
  if (st.isBlockDevice()) return 'blockdev';
  return 'socket';
}

export function entryFromStat(name: Buffer, st: BigIntStats, owners: OwnerNames): TreeEntry {
  const kind = kindOf(st);
  const uid = Number(st.uid), gid = Number(st.gid);
  const entry: TreeEntry = {
    name, kind, mode: Number(st.mode), uid, gid, user: owners.user(uid), group: owners.group(gid),
    size: kind === 'file' || kind === 'symlink' ? Number(st.size) : 0,
    mtimeNs: st.mtimeNs, atimeNs: st.atimeNs, ctimeNs: st.ctimeNs,
    ino: Number(st.ino), nlink: Number(st.nlink),
  };
  if (kind === 'chardev' || kind === 'blockdev') entry.rdev = Number(st.rdev);
  if (kind !== 'dir' && st.nlink > 1n) entry.linkId = `${st.dev}:${st.ino}`;
  return entry;
}

/**
 * true when a file looks untouched since `prev` was recorded (same size, mtime, ctime and
 * inode) and the blocks `prev` names are still indexed: after a repair dropped a damaged block,
 * the file is read again, which heals the repository instead of copying the damage forward.
 */
export function unchangedSince(entry: TreeEntry, prev: TreeEntry | undefined, has: (addr: Address) => boolean): prev is TreeEntry {
  if (!prev || prev.kind !== 'file' || entry.kind !== 'file' || !prev.content) return false;
  if (prev.size !== entry.size || prev.mtimeNs !== entry.mtimeNs || prev.ctimeNs !== entry.ctimeNs || prev.ino !== entry.ino) return false;
  const refs = 'chunks' in prev.content ? prev.content.chunks : prev.content.lists;
  return refs.every((r) => has(r.address));
}
