// The nodes the mount serves: folders, files, symlinks and the other kinds (fifos, devices,
// sockets, shown with their stored attributes and never opened by us: the kernel handles them).
// A node is made once and kept, so its inode number stays the same for the life of the mount.
import type { FileContent } from '../tree/entry.js';

/** The attributes getattr reports; times in milliseconds (fuse-native's precision). */
export interface NodeStat {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  nlink: number;
  rdev: number;
  blocks: number;
  atime: number;
  mtime: number;
  ctime: number;
}

export interface DirNode {
  kind: 'dir';
  stat: NodeStat;
  /** The entries by shown name (see shownName.ts). */
  children(opts?: { refresh?: boolean }): Promise<Map<string, MountNode>>;
  /** When true, nlink is counted from the children (2 + subfolders) rather than stored. */
  countsLinks?: boolean;
}

export interface FileNode {
  kind: 'file';
  stat: NodeStat;
  content: FileContent | undefined;
  /** Where the file is, for log lines: its folder ("1a2b3c4d:/etc", shared by siblings) and name. */
  folder: string;
  name: string;
}

export interface LinkNode {
  kind: 'symlink';
  stat: NodeStat;
  /** The stored target, escaped like names. */
  target: string;
}

export interface SpecialNode {
  kind: 'special';
  stat: NodeStat;
}

export type MountNode = DirNode | FileNode | LinkNode | SpecialNode;

export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;

/** The attributes of a folder the mount makes up (the catalog layout, a snapshot's root). */
export function syntheticDirStat(ino: number, timeMs: number): NodeStat {
  return {
    ino, mode: S_IFDIR | 0o555, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, size: 0, nlink: 2, rdev: 0, blocks: 0,
    atime: timeMs, mtime: timeMs, ctime: timeMs,
  };
}
