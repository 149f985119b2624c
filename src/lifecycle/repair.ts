// `dedupfs repair`: rebuilds what can be rebuilt from what the repository keeps on disk. Under an
// exclusive lock it (1) rebuilds the block index from the packs (repairIndex.ts), (2) rebuilds
// the catalog from the snapshot files (repairCatalog.ts), then (3) opens the repository and
// walks every snapshot to find those that need blocks no pack holds (or, with readData, holds
// intact); with forgetDamaged those snapshots are removed, so gc can run again.
// It takes the lock itself, rather than through openRepository, because the catalog must be
// reset before anything opens it.
import { resolve } from 'node:path';
import { addressFromHex } from '../core/address.js';
import type { Reporter } from '../core/reporter.js';
import { readConfig } from '../repo/config.js';
import { repoLayout } from '../repo/layout.js';
import { acquireLock } from '../repo/lock.js';
import { openRepository } from '../repo/repository.js';
import { escapeName } from '../tree/nameEscape.js';
import { findDamage } from './findDamage.js';
import { forget } from './forget.js';
import { resetCatalog, type CatalogRepair } from './repairCatalog.js';
import { repairIndex, type IndexRepair } from './repairIndex.js';

export interface RepairOptions {
  /** check every block while rebuilding the index; copies that fail are left out */
  readData?: boolean;
  /** remove the snapshots that need blocks that are gone */
  forgetDamaged?: boolean;
  lockWaitMs?: number;
  reporter?: Reporter;
  /** stale locks removed, and the like */
  onNotice?: (msg: string) => void;
}

export interface DamagedSnapshot { id: string; time: string; missingBlocks: number; paths: string[] }

export interface RepairReport {
  index: IndexRepair;
  catalog: CatalogRepair & { snapshots: number };
  /** snapshots that need blocks that are gone (removed when forgetDamaged) */
  damagedSnapshots: DamagedSnapshot[];
  forgotten: string[];
}

/**
 * Repairs the repository in `dir`.
 * @throws DedupfsError NO_REPOSITORY, LOCKED (another command uses the repository), IO.
 * @example const report = await repair('/backups/repo', { forgetDamaged: true });
 */
export async function repair(dir: string, opts: RepairOptions = {}): Promise<RepairReport> {
  const root = resolve(dir);
  const layout = repoLayout(root);
  const config = await readConfig(layout.config, root);
  const lock = await acquireLock(root, { kind: 'exclusive', command: 'repair', waitMs: opts.lockWaitMs, onWarning: opts.onNotice });
  try {
    const index = await repairIndex(layout, config, { readData: opts.readData, reporter: opts.reporter });
    const catalog = await resetCatalog(layout);
    const repo = await openRepository(root, { lock: 'none', command: 'repair' });
    try {
      const snapshots = repo.catalog.list();
      const damaged = new Map(index.damaged.map((d) => [d.address, d.reason]));
      const judge = (hex: string) => (repo.store.index.has(addressFromHex(hex)) ? undefined : damaged.get(hex) ?? 'missing: no pack holds it');
      const damage = await findDamage(repo.store, snapshots, judge, opts.reporter);
      const damagedSnapshots = snapshots.flatMap((s) => {
        const refs = damage.snapshots.get(s.id) ?? [];
        if (!refs.length) return [];
        const paths = [...new Set(refs.map((r) => (r.path.length ? escapeName(r.path) : '/')))].sort();
        return [{ id: s.id, time: s.time, missingBlocks: new Set(refs.map((r) => r.address)).size, paths }];
      });
      const forgotten = opts.forgetDamaged && damagedSnapshots.length
        ? (await forget(repo, { snapshots: damagedSnapshots.map((s) => s.id) })).removed
        : [];
      return { index, catalog: { ...catalog, snapshots: snapshots.length }, damagedSnapshots, forgotten };
    } finally {
      await repo.close();
    }
  } finally {
    await lock.release();
  }
}
