// The SQLite catalog: the snapshot list in a form that answers questions (by host, tag, path,
// time) quickly. It holds nothing that cannot be recomputed: sync() makes it agree with the
// snapshot files, so a deleted catalog comes back on the next open, and a damaged one (SQLite
// says so, or PRAGMA quick_check finds fault) is set aside as catalog.db.damaged-TIME, never
// deleted, and rebuilt the same way. A reader of a repository that cannot be written (read-only,
// full disk) builds the same catalog in memory instead (Catalog.inMemory).
import { rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ioError } from '../core/errors.js';
import { fsyncDir } from '../core/fsyncDir.js';
import { unwritableReason } from '../core/repoWriteError.js';
import { PLAIN_SNAPSHOTS, listSnapshotIds, readSnapshotFile, type Snapshot, type SnapshotSeal } from './snapshotRecord.js';
import { staleTwins } from './staleTwins.js';

export interface SnapshotFilter { host?: string; tags?: string[]; path?: string }

const SCHEMA = `
CREATE TABLE IF NOT EXISTS snapshots (
  id TEXT PRIMARY KEY,
  time TEXT NOT NULL,
  host TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS snapshots_time ON snapshots (time);
`;

const DAMAGE_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB']);

class CatalogDamaged extends Error {}

/**
 * better-sqlite3's addon, named by its path: its own lookup searches from the file that calls
 * it, which in the bundle bin/dedupfs runs (scripts/bundle.mjs) is not inside the package.
 */
const sqliteAddon = () => createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');

export interface CatalogOpenOptions {
  /** the one-line remark when a damaged catalog was set aside and rebuilt */
  onNotice?: (msg: string) => void;
  /** how the snapshot files are read and written: sealed in an encrypted repository */
  seal?: SnapshotSeal;
}

export class Catalog {
  /** how this repository's snapshot files are read and written (writeSnapshotFile's `seal`) */
  readonly seal: SnapshotSeal;

  private constructor(private readonly db: Database.Database, private readonly snapshotDir: string, seal?: SnapshotSeal) {
    this.seal = seal ?? PLAIN_SNAPSHOTS;
  }

  /**
   * Opens catalog.db at `path` and syncs it with `snapshotDir`. A damaged catalog is set aside
   * and rebuilt. Errors of a repository that cannot be written (SQLITE_FULL, SQLITE_READONLY,
   * SQLITE_CANTOPEN, I/O errors) are thrown as SQLite reports them, for the caller to judge.
   */
  static async open(path: string, snapshotDir: string, opts: CatalogOpenOptions = {}): Promise<Catalog> {
    try {
      return await Catalog.openFile(path, snapshotDir, opts.seal);
    } catch (err) {
      if (!(err instanceof CatalogDamaged) && !DAMAGE_CODES.has((err as { code?: string }).code ?? '')) throw err;
      const aside = await setAside(path);
      opts.onNotice?.(`catalog ${path} was damaged (${(err as Error).message}); set aside as ${aside} and rebuilt from the snapshot files`);
      return Catalog.openFile(path, snapshotDir, opts.seal);
    }
  }

  /** A catalog held in memory and built from `snapshotDir`: for readers that cannot write catalog.db. */
  static async inMemory(snapshotDir: string, seal?: SnapshotSeal): Promise<Catalog> {
    return Catalog.openFile(':memory:', snapshotDir, seal);
  }

  private static async openFile(path: string, snapshotDir: string, seal?: SnapshotSeal): Promise<Catalog> {
    const db = new Database(path, { timeout: 10_000, nativeBinding: sqliteAddon() });
    try {
      if (path !== ':memory:') {
        db.pragma('journal_mode = WAL');
        const verdict = db.pragma('quick_check', { simple: true });
        if (verdict !== 'ok') throw new CatalogDamaged(`quick_check: ${String(verdict)}`);
      }
      db.exec(SCHEMA);
      const catalog = new Catalog(db, snapshotDir, seal);
      await catalog.sync();
      return catalog;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Adds snapshots whose files appeared and drops those whose files are gone. */
  async sync(): Promise<void> {
    const onDisk = new Set(await listSnapshotIds(this.snapshotDir));
    const known = new Set((this.db.prepare('SELECT id FROM snapshots').all() as Array<{ id: string }>).map((r) => r.id));
    const toAdd: Snapshot[] = [];
    for (const id of onDisk) if (!known.has(id)) toAdd.push(await readSnapshotFile(this.snapshotDir, id, this.seal));
    // The older twin a kill during `dedupfs tag` left behind is not listed (staleTwins.ts).
    const stale = toAdd.length ? staleTwins([...toAdd, ...this.list()], onDisk) : new Set<string>();
    const gone = [...known].filter((id) => !onDisk.has(id) || stale.has(id));
    if (!toAdd.length && !gone.length) return;
    const del = this.db.prepare('DELETE FROM snapshots WHERE id = ?');
    this.db.transaction(() => {
      for (const s of toAdd) if (!stale.has(s.id)) this.insert(s);
      for (const id of gone) del.run(id);
    })();
  }

  /**
   * Adds a snapshot whose file is written. Where the disk is full or read-only the row is left
   * out: the file is what counts, and the next sync() adds it.
   */
  insert(s: Snapshot): void {
    this.write(() => this.db.prepare('INSERT OR REPLACE INTO snapshots (id, time, host, record) VALUES (?, ?, ?, ?)').run(s.id, s.time, s.host, JSON.stringify(s)));
  }

  /** Drops a snapshot whose file is deleted; like insert(), left to the next sync() where the disk cannot be written. */
  remove(id: string): void {
    this.write(() => this.db.prepare('DELETE FROM snapshots WHERE id = ?').run(id));
  }

  private write(change: () => void): void {
    try {
      change();
    } catch (err) {
      if (!unwritableReason(err, dirname(this.snapshotDir))) throw err;
    }
  }

  /** Snapshots matching the filter, oldest first (ties broken by id). */
  list(filter: SnapshotFilter = {}): Snapshot[] {
    const rows = (filter.host
      ? this.db.prepare('SELECT record FROM snapshots WHERE host = ? ORDER BY time, id').all(filter.host)
      : this.db.prepare('SELECT record FROM snapshots ORDER BY time, id').all()) as Array<{ record: string }>;
    return rows.map((r) => JSON.parse(r.record) as Snapshot).filter((s) =>
      (!filter.tags?.length || filter.tags.every((t) => s.tags.includes(t))) &&
      (!filter.path || s.paths.includes(filter.path)));
  }

  close(): void {
    this.db.close();
  }
}

// Renames catalog.db (and its WAL files) to <name>.damaged-<time>: the evidence is kept.
async function setAside(path: string): Promise<string> {
  const aside = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of ['', '-wal', '-shm']) {
    await rename(path + suffix, aside + suffix).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw ioError(err, 'cannot set aside the damaged catalog', path + suffix);
    });
  }
  await fsyncDir(dirname(path));
  return aside;
}
