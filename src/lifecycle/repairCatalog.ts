// repair, step 2: the catalog is thrown away and rebuilt from snapshots/ (the source of truth)
// by the next open, which syncs an empty catalog with the files. This runs before the
// repository is opened, because a damaged catalog.db stops the open itself. A snapshot file that
// is not sound (checkSnapshotFiles.ts: cut short, or changed so it no longer matches its id)
// would stop that sync, or name a root that is not the snapshot's: it is quarantined, renamed to
// <id>.json.damaged, which no listing takes for a snapshot, and reported; its bytes are kept for
// whoever wants to look at them, and renaming it back makes it a snapshot again.
import { rename, rm } from 'node:fs/promises';
import { ioError } from '../core/errors.js';
import { fsyncDir } from '../core/fsyncDir.js';
import type { SnapshotSeal } from '../catalog/snapshotRecord.js';
import type { RepoLayout } from '../core/layout.js';
import { checkSnapshotFiles } from './checkSnapshotFiles.js';

export interface CatalogRepair {
  /** snapshot files that are not sound, renamed to <id>.json.damaged */
  setAside: Array<{ id: string; file: string; reason: string }>;
}

/** Deletes catalog.db (and its WAL files) and quarantines unsound snapshot files. The caller holds the exclusive lock. */
export async function resetCatalog(layout: RepoLayout, seal?: SnapshotSeal): Promise<CatalogRepair> {
  const setAside: CatalogRepair['setAside'] = [];
  for (const p of await checkSnapshotFiles(layout.snapshots, seal)) {
    await rename(p.file, `${p.file}.damaged`).catch((e) => { throw ioError(e, 'cannot set aside', p.file); });
    setAside.push({ id: p.id, file: `${p.file}.damaged`, reason: `snapshot file ${p.file} ${p.problem}` });
  }
  if (setAside.length) await fsyncDir(layout.snapshots);
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    const path = layout.catalog + suffix;
    await rm(path, { force: true }).catch((err) => { throw ioError(err, 'cannot delete', path); });
  }
  return { setAside };
}
