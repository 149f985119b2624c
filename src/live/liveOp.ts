// The changes a writable mount makes to its tree, as journal lines (journal.ts). Paths are FUSE
// paths ('/a/b', names as shown: see src/mount/shownName.ts). Times are milliseconds since the
// epoch; `t` is when the change was made (the ctime, and the mtime of the folders it touches).
export type LiveOp =
  | { op: 'mkdir'; path: string; mode: number; uid: number; gid: number; t: number }
  | { op: 'create'; path: string; mode: number; uid: number; gid: number; id: number; t: number }
  | { op: 'mknod'; path: string; mode: number; rdev: number; uid: number; gid: number; t: number }
  | { op: 'symlink'; path: string; target: string; uid: number; gid: number; t: number }
  | { op: 'link'; from: string; path: string; t: number }
  | { op: 'unlink'; path: string; t: number }
  | { op: 'rmdir'; path: string; t: number }
  | { op: 'rename'; from: string; path: string; t: number }
  | { op: 'chmod'; path: string; mode: number; t: number }
  | { op: 'chown'; path: string; uid: number; gid: number; t: number }
  | { op: 'utimens'; path: string; atime: number; mtime: number; t: number }
  /** an extended attribute set (value in base64; flags XATTR_CREATE 1, XATTR_REPLACE 2) or removed */
  | { op: 'setxattr'; path: string; name: string; value: string; flags: number; t: number }
  | { op: 'removexattr'; path: string; name: string; t: number }
  /** the file at `path` reads from staging file `id` from now on (a copy-up, or a truncate to 0);
   * with `keep`, its stored chunks still hold what was never written (lowerFile.ts) */
  | { op: 'up'; path: string; id: number; keep?: boolean; t: number }
  /** these stored chunks of the file staged in `id` are copied into its staging file */
  | { op: 'copied'; id: number; chunks: number[] }
  /** bytes written at `at` (base64) into the new file staged as `id` while it is held in the
   * journal, without a staging file of its own (heldFiles.ts); t: its mtime */
  | { op: 'data'; id: number; at: number; data: string; t: number }
  /** the file staged in `id` was cut to `size`: its stored chunks no longer show past it */
  | { op: 'cut'; id: number; size: number };
