// repair, step 2: the catalog is thrown away and rebuilt from snapshots/ (the source of truth)
// by the next open, which syncs an empty catalog with the files. This runs before the
// repository is opened, because a damaged catalog.db stops the open itself. A snapshot file that
// cannot be read would stop that sync too: it is renamed to <id>.json.damaged, which no listing
// takes for a snapshot, so its bytes are kept for whoever wants to look at them.
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DedupfsError, ioError } from '../core/errors.js';
import { fsyncDir } from '../core/fsyncDir.js';
import { listSnapshotIds, readSnapshotFile } from '../catalog/snapshotRecord.js';
import type { RepoLayout } from '../repo/layout.js';

export interface CatalogRepair {
  /** snapshot files that could not be read, renamed to <id>.json.damaged */
  setAside: Array<{ id: string; file: string; reason: string }>;
}

/** Deletes catalog.db (and its WAL files) and sets unreadable snapshot files aside. The caller holds the exclusive lock. */
export async function resetCatalog(layout: RepoLayout): Promise<CatalogRepair> {
  const setAside: CatalogRepair['setAside'] = [];
  for (const id of await listSnapshotIds(layout.snapshots)) {
    try {
      await readSnapshotFile(layout.snapshots, id);
    } catch (err) {
      if (!(err instanceof DedupfsError)) throw err;
      const file = join(layout.snapshots, `${id}.json`);
      await rename(file, `${file}.damaged`).catch((e) => { throw ioError(e, 'cannot set aside', file); });
      setAside.push({ id, file: `${file}.damaged`, reason: err.message });
    }
  }
  if (setAside.length) await fsyncDir(layout.snapshots);
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    const path = layout.catalog + suffix;
    await rm(path, { force: true }).catch((err) => { throw ioError(err, 'cannot delete', path); });
  }
  return { setAside };
}
