// Where snapshot records are written and removed: the one door for every command that adds or
// drops a snapshot (ingest, commit, tag, forget, repair). In a repository folder a record is the
// file snapshots/<id>.json. In a bucket it is the object snapshots/<id>.json, and the local cache
// keeps a mirror folder of those objects for the catalog to sync with: sync() lists snapshots/
// (one request per 1000 snapshots), fetches the records it lacks and drops those whose object is
// gone, so a snapshot another host wrote shows up and a forgotten one goes.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { Limiter } from '../core/limiter.js';
import { writeFileDurably } from '../core/writeFileDurably.js';
import { FILE_MODE } from '../core/layout.js';
import { listSnapshotIds, PLAIN_SNAPSHOTS, removeSnapshotFile, SNAPSHOT_ID, writeSnapshotFile, type Snapshot, type SnapshotSeal } from './snapshotRecord.js';

export interface SnapshotFiles {
  /** the local folder of <id>.json files that the catalog syncs with */
  readonly dir: string;
  /** Stores a record durably; callers write it only after every block it names is durable. */
  write(snap: Snapshot): Promise<void>;
  remove(id: string): Promise<void>;
  /**
   * Makes `dir` hold the records as they are stored now, byte for byte (check and repair judge
   * them there): a no-op for a folder; for a bucket, every record is fetched again.
   */
  reread(): Promise<void>;
}

/** `seal`: an encrypted repository's (the catalog's seal), so records are written sealed. */
export function folderSnapshotFiles(dir: string, seal: SnapshotSeal = PLAIN_SNAPSHOTS): SnapshotFiles {
  return {
    dir,
    write: (snap) => writeSnapshotFile(dir, snap, seal),
    remove: (id) => removeSnapshotFile(dir, id),
    reread: async () => undefined,
  };
}

const PREFIX = 'snapshots/';
const FETCHES_AT_ONCE = 8;

export class BucketSnapshotFiles implements SnapshotFiles {
  /** `beforeWrite` throws when the writer's lock is lost: nothing is committed then. */
  /** `seal`: an encrypted repository's, so records are written sealed. */
  constructor(private readonly backend: Backend, readonly dir: string, private readonly beforeWrite: () => void = () => undefined,
    private readonly seal: SnapshotSeal = PLAIN_SNAPSHOTS) {}

  /**
   * Makes the mirror folder agree with the bucket's snapshot objects; returns how many records
   * were fetched. Records are immutable, so only those the mirror lacks are fetched, unless `all`.
   */
  async sync(all = false): Promise<number> {
    const listed = new Set<string>();
    for await (const o of this.backend.list(PREFIX)) {
      const id = o.key.slice(PREFIX.length, -'.json'.length);
      if (o.key.endsWith('.json') && SNAPSHOT_ID.test(id)) listed.add(id);
    }
    const local = new Set(await listSnapshotIds(this.dir));
    const limiter = new Limiter(FETCHES_AT_ONCE);
    const missing = [...listed].filter((id) => all || !local.has(id));
    await Promise.all(missing.map((id) => limiter.run(async () => {
      // The object's bytes as they are: check judges the record the bucket holds.
      await writeFileDurably(join(this.dir, `${id}.json`), await this.backend.get(`${PREFIX}${id}.json`), FILE_MODE);
    })));
    for (const id of local) if (!listed.has(id)) await rm(join(this.dir, `${id}.json`), { force: true });
    return missing.length;
  }

  async reread(): Promise<void> {
    await this.sync(true);
  }

  async write(snap: Snapshot): Promise<void> {
    this.beforeWrite();
    // Sealed once: the mirror holds the very bytes of the object.
    const text = this.seal.seal(snap);
    await this.backend.put(`${PREFIX}${snap.id}.json`, Buffer.from(text));
    await writeSnapshotFile(this.dir, snap, { ...this.seal, seal: () => text });
  }

  async remove(id: string): Promise<void> {
    await this.backend.delete(`${PREFIX}${id}.json`);
    await removeSnapshotFile(this.dir, id);
  }

  /**
   * Sets an unsound record aside (repair): its bytes, as the mirror holds them, go to the object
   * snapshots/<id>.json.damaged, which no listing takes for a snapshot, and the record goes.
   * Returns the key it was kept under.
   */
  async setAside(id: string): Promise<string> {
    const key = `${PREFIX}${id}.json.damaged`;
    await this.backend.put(key, await readFile(join(this.dir, `${id}.json`)));
    await this.remove(id);
    return key;
  }
}
