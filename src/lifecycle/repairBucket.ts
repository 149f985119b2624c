// `dedupfs repair` of a repository in a bucket: the steps of repair.ts, in the bucket's order of
// writes. Under the exclusive lock (a lock object, backendLock.ts):
//   1. unsound snapshot records are set aside as objects snapshots/<id>.json.damaged (their bytes
//      kept; no listing takes them for snapshots) and the cache's catalog is dropped, before the
//      repository is opened (a record that does not parse would stop the catalog's sync);
//   2. the cache forgets which index objects its index holds, and the index is refilled from
//      the packs' trailers (checked, with readData): a kill here makes the next command rebuild
//      the index from the objects, as before;
//   3. damaged packs are salvaged into new packs, the cache's uncommitted live trees of writable
//      mounts are committed, snapshots needing lost blocks are mended, all as on a folder;
//   4. a full index object is written from the repaired index, superseding every other; only
//      then are the salvaged packs and the superseded objects deleted, so no index object any
//      cache uses ever names a pack that is gone.
// Unsealed packs of killed writers are local files of their host's cache, never in the bucket:
// there is nothing of them to recover here.
import { acquireBackendLock } from '../backend/backendLock.js';
import { openBackend } from '../backend/openBackend.js';
import type { Backend } from '../backend/backend.js';
import { BucketSnapshotFiles } from '../catalog/snapshotFiles.js';
import { commitLeftovers } from '../live/index.js';
import type { SnapshotSeal } from '../catalog/snapshotRecord.js';
import { readBucketConfig, unlockBucket } from '../repo/bucketRepository.js';
import { isEncrypted } from '../repo/config.js';
import { openCacheDir } from '../repo/cacheDir.js';
import type { RepoLayout } from '../core/layout.js';
import { openRepository } from '../repo/repository.js';
import { StoreMaintenance } from '../store/index.js';
import { checkSnapshotFiles } from './checkSnapshotFiles.js';
import { mendSnapshots, salvageDamagedPacks, type RepairOptions, type RepairReport } from './repair.js';
import { resetCatalog, type CatalogRepair } from './repairCatalog.js';
import { refillIndex } from './repairIndex.js';
import { probeConfig, refuseSuspectConfig } from './suspectConfig.js';

export async function repairBucket(dir: string, opts: RepairOptions): Promise<RepairReport> {
  const backend = await openBackend(dir);
  try {
    // The keys first, as on a folder: a wrong password leaves the bucket untouched.
    const config = await readBucketConfig(backend, {});
    const layout = await openCacheDir(config.id);
    const keys = isEncrypted(config) ? await unlockBucket(backend, layout, config, { command: 'repair', password: opts.password }) : undefined;
    const lock = await acquireBackendLock(backend, { kind: 'exclusive', command: 'repair', waitMs: opts.lockWaitMs, onWarning: opts.onNotice });
    try {
      const catalog = await setAsideSnapshots(backend, layout, keys?.snapshots);
      const repo = await openRepository(dir, { lock: 'none', command: 'repair', onNotice: opts.onNotice, keys });
      try {
        const objects = repo.indexObjects!;
        const store = new StoreMaintenance(repo.store);
        const badCopies = await store.loadBadCopies();
        await objects.forgetApplied();
        const index = await refillIndex(store, config, badCopies, { readData: opts.readData, reporter: opts.reporter });
        for (const d of index.damaged) badCopies.add(d);
        if (!opts.readData) {
          const probe = await probeConfig(store);
          refuseSuspectConfig(config, probe.failed, probe.read);
        }
        const salvaged = await salvageDamagedPacks(repo, index, badCopies);
        const live = await commitLeftovers(repo);
        const report: RepairReport = {
          index, catalog: { ...catalog, snapshots: 0 }, salvaged, damagedSnapshots: [], rewritten: [], forgotten: [], live,
          unsealed: { packs: 0, blocks: 0, rawBytes: 0, storedBytes: 0, damaged: 0, removed: 0 },
        };
        await mendSnapshots(repo, report, opts);
        lock.assertHeld();
        const superseded = await objects.addFull();
        await store.dropPackIds(salvaged.map((s) => s.pack));
        await objects.dropSuperseded(superseded);
        await badCopies.save();
        return report;
      } finally {
        await repo.close();
      }
    } finally {
      await lock.release();
    }
  } finally {
    await backend.close();
  }
}

// Step 1: brings the cache's mirror up to date, moves unsound records aside in the bucket, and
// drops the catalog (the next open rebuilds it from the mirror).
async function setAsideSnapshots(backend: Backend, layout: RepoLayout, seal?: SnapshotSeal): Promise<CatalogRepair> {
  const mirror = new BucketSnapshotFiles(backend, layout.snapshots, undefined, seal);
  await mirror.sync(true);
  const setAside: CatalogRepair['setAside'] = [];
  for (const p of await checkSnapshotFiles(layout.snapshots, seal)) {
    const file = await mirror.setAside(p.id);
    setAside.push({ id: p.id, file, reason: `snapshot record snapshots/${p.id}.json ${p.problem}` });
  }
  await resetCatalog(layout, seal);
  return { setAside };
}
