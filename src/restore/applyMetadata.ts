// Puts an entry's metadata back: extended attributes, owner (only when running as root), mode
// and times. Files and folders are handled through a descriptor we hold (never a path that
// could have changed); symlinks and special files by path with the l* calls, which do not
// follow links. Order matters: xattrs before chmod (a read-only file refuses user xattrs),
// chown before chmod (chown clears set-id bits), times last.
//
// Times: the tree keeps nanoseconds, but Node hands utimes/futimes a double of seconds to
// libuv, which truncates it to whole microseconds on purpose (uv__fs_to_timespec), and Node 20
// has no call that takes nanoseconds (no bigint utimes, no utimensat): the last three digits are
// lost without a native addon. What can be kept is kept exactly: the microseconds. A double near
// 1.7e9 s is only good to ~240 ns, so the plain µs/1e6 often lands just below the microsecond
// and libuv's truncation then takes one off (measured: 1,068 of 2,000 random times came back
// 1 µs early); half a microsecond added makes the truncation land on it every time.
//
// The calls are synchronous (by descriptor, and by path for symlinks and special files): they
// touch only the inode in memory, and measured here 10,000 files take ~1 s that way against
// 2.4-6.5 s through fs.promises, whose thread-pool round trips (shared with pack reads and zstd)
// cost far more than the calls themselves. The same holds for restoreEntry's symlink and link and
// destination's mkdir: a restore of 20,000 symlinks in 200 folders took 0.84 s of CPU instead of
// 2.12 s once they were synchronous too.
import { fchmodSync, fchownSync, futimesSync, lchownSync, lutimesSync } from 'node:fs';
import { writeXattrs } from '../core/xattrs.js';
import type { TreeEntry } from '../tree/entry.js';

export interface MetadataContext {
  /** running as root: restore ownership */
  asRoot: boolean;
  /** a problem with one entry's metadata; the restore goes on */
  warn(message: string): void;
}

/** Nanoseconds since the epoch as the seconds fs.utimes takes: libuv sets exactly the microsecond of `ns`. */
export function nsToSeconds(ns: bigint): number {
  const us = ns / 1000n - (ns < 0n && ns % 1000n !== 0n ? 1n : 0n);   // floor, for times before 1970 too
  return (Number(us) + 0.5) / 1e6;
}

/** For a regular file or folder open at descriptor `fd`. */
export async function applyFdMetadata(fd: number, entry: TreeEntry, display: string, ctx: MetadataContext): Promise<void> {
  if (entry.xattrs?.length) {
    try {
      await writeXattrs(fd, entry.xattrs);
    } catch (err) {
      ctx.warn(`cannot set extended attributes of ${display}: ${(err as Error).message}`);
    }
  }
  if (ctx.asRoot) fchownSync(fd, entry.uid, entry.gid);
  fchmodSync(fd, entry.mode & 0o7777);
  futimesSync(fd, nsToSeconds(entry.atimeNs), nsToSeconds(entry.mtimeNs));
}

/** For a symlink, fifo or device node at `path`, created with its mode already. */
export function applyPathMetadata(path: Buffer, entry: TreeEntry, ctx: MetadataContext): void {
  if (ctx.asRoot) lchownSync(path, entry.uid, entry.gid);
  lutimesSync(path, nsToSeconds(entry.atimeNs), nsToSeconds(entry.mtimeNs));
}
