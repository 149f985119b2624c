// Turns an lstat result into the metadata part of a tree entry. Content (chunks, subtree,
// symlink target, xattrs) is filled in by the walker.
import type { BigIntStats } from 'node:fs';
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
 * true when a file looks untouched since `prev` was recorded: same size, mtime, ctime and inode.
 * Its chunk list is then taken from `prev` as it is, with no lookup in the index: the parent
 * snapshot names those blocks, so gc keeps them. A block that check or repair found lost is in
 * the list of blocks to heal (src/store/blocksToHeal.ts), and the caller reads again a file that
 * names one, which heals the repository instead of copying the damage forward.
 */
export function unchangedSince(entry: TreeEntry, prev: TreeEntry | undefined): prev is TreeEntry {
  if (!prev || prev.kind !== 'file' || entry.kind !== 'file' || !prev.content) return false;
  return prev.size === entry.size && prev.mtimeNs === entry.mtimeNs && prev.ctimeNs === entry.ctimeNs && prev.ino === entry.ino;
}
