// Why a repository cannot be written, told the same way by every layer that finds out (lock
// files, the LMDB index, the SQLite catalog): a full disk, a read-only file system or a folder
// that belongs to someone else. Readers use unwritableReason() to go on without writing;
// writers stop with repoWriteError(), one line that says what to do.
import { statfsSync } from 'node:fs';
import { DedupfsError } from './errors.js';

export type Unwritable = 'ENOSPC' | 'EROFS' | 'EACCES';
/** Unwritable, or EIO: a write failed for another reason. */
export type WriteFailure = Unwritable | 'EIO';

const ERRNO: Record<string, Unwritable> = { ENOSPC: 'ENOSPC', EDQUOT: 'ENOSPC', EROFS: 'EROFS', EACCES: 'EACCES', EPERM: 'EACCES' };
const ERRNO_NUMBERS: Record<number, Unwritable> = { 28: 'ENOSPC', 122: 'ENOSPC', 30: 'EROFS', 13: 'EACCES', 1: 'EACCES' };
/** Below this much free space, an SQLite I/O error is taken for a full disk. */
const NEARLY_FULL = 1 << 20;

/**
 * 'ENOSPC', 'EROFS' or 'EACCES' when `err` (an errno error, a DedupfsError wrapping one, an
 * lmdb error with a numeric code, or an SQLite error) means the repository at `root` cannot be
 * written; null for anything else.
 */
export function unwritableReason(err: unknown, root: string): Unwritable | null {
  for (let e = err as { code?: unknown; data?: Record<string, unknown>; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    const code = e.code;
    if (typeof code === 'string' && ERRNO[code]) return ERRNO[code];
    if (typeof code === 'number' && ERRNO_NUMBERS[code]) return ERRNO_NUMBERS[code];
    if (typeof e.data?.errno === 'string' && ERRNO[e.data.errno]) return ERRNO[e.data.errno];
    if (code === 'SQLITE_FULL') return 'ENOSPC';
    if (typeof code === 'string' && code.startsWith('SQLITE_READONLY')) return 'EROFS';
    if (typeof code === 'string' && (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN')) return diskNearlyFull(root) ? 'ENOSPC' : code === 'SQLITE_CANTOPEN' ? 'EACCES' : null;
  }
  return null;
}

/** true when the file system of `root` has less than `bytes` (default 1 MiB) left for us. */
export function diskNearlyFull(root: string, bytes = NEARLY_FULL): boolean {
  try {
    const s = statfsSync(root);
    return s.bavail * s.bsize < bytes;
  } catch {
    return false;
  }
}

/** The one-line error of a command that must write to the repository at `root` and cannot. */
export function repoWriteError(root: string, reason: WriteFailure, cause?: unknown): DedupfsError {
  const data = { path: root, errno: reason };
  switch (reason) {
    case 'ENOSPC':
      return new DedupfsError('REPO_WRITE', `no space left on device at ${root}; free space and run again`,
        { hint: 'the repository was left as it was; commands that only read (snapshots, ls, cat, restore, mount) still work', cause, data });
    case 'EROFS':
      return new DedupfsError('REPO_WRITE', `repository ${root} is on a read-only file system`,
        { hint: 'commands that only read work here; mount it read-write to ingest, forget, gc or repair', cause, data });
    case 'EACCES':
      return new DedupfsError('REPO_WRITE', `repository ${root} cannot be written: permission denied`,
        { hint: "commands that only read work here; run as the repository's owner to change it", cause, data });
    case 'EIO':
      return new DedupfsError('REPO_WRITE', `cannot write to repository ${root}: ${(cause as Error)?.message ?? 'I/O error'}`,
        { hint: 'the repository was left as it was; look at the disk (dmesg), then run again', cause, data });
  }
}

/** For the note a reader prints when it goes on without writing. */
export function describeUnwritable(reason: Unwritable): string {
  return reason === 'ENOSPC' ? 'no space left on device' : reason === 'EROFS' ? 'read-only file system' : 'permission denied';
}
