// Files that libraries create for us (LMDB's data.mdb and lock.mdb, SQLite's database, WAL and
// shared-memory files) take their mode from the umask. Opening them under umask 077 keeps the
// repository owner-only like everything dedupfs creates itself.
export function withOwnerOnlyUmask<T>(open: () => T): T {
  const previous = process.umask(0o077);
  try {
    return open();
  } finally {
    process.umask(previous);
  }
}
