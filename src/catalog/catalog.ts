// The SQLite catalog: the snapshot list in a form that answers questions (by host, tag, path,
// time) quickly. It holds nothing that cannot be recomputed: sync() makes it agree with the
// snapshot files, so a deleted catalog comes back on the next open.
import Database from 'better-sqlite3';
import { DedupfsError } from '../core/errors.js';
import { listSnapshotIds, readSnapshotFile, type Snapshot } from './snapshotRecord.js';
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

export class Catalog {
  private constructor(private readonly db: Database.Database, private readonly snapshotDir: string) {}

  static open(path: string, snapshotDir: string): Catalog {
    try {
      const db = new Database(path, { timeout: 10_000 });
      db.pragma('journal_mode = WAL');
      db.exec(SCHEMA);
      return new Catalog(db, snapshotDir);
    } catch (err) {
      throw new DedupfsError('REPO_DAMAGED', `catalog ${path} is damaged: ${(err as Error).message}`,
        { hint: "run 'dedupfs repair' to rebuild it from the snapshot files", cause: err });
    }
  }

  /** Adds snapshots whose files appeared and drops those whose files are gone. */
  async sync(): Promise<void> {
    const onDisk = new Set(await listSnapshotIds(this.snapshotDir));
    const known = new Set((this.db.prepare('SELECT id FROM snapshots').all() as Array<{ id: string }>).map((r) => r.id));
    const toAdd: Snapshot[] = [];
    for (const id of onDisk) if (!known.has(id)) toAdd.push(await readSnapshotFile(this.snapshotDir, id));
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

  insert(s: Snapshot): void {
    this.db.prepare('INSERT OR REPLACE INTO snapshots (id, time, host, record) VALUES (?, ?, ?, ?)').run(s.id, s.time, s.host, JSON.stringify(s));
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM snapshots WHERE id = ?').run(id);
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
