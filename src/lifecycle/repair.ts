// `dedupfs repair`: rebuilds what can be rebuilt from what the repository keeps on disk, and
// keeps every snapshot. Under an exclusive lock it
//   1. rebuilds the block index from the packs (repairIndex.ts), leaving out copies known to be
//      bad and, with readData, those that fail their check (they join bad-copies.json); when
//      nearly every block fails, it suspects config.json and stops, having changed nothing;
//   2. quarantines unsound snapshot files and rebuilds the catalog (repairCatalog.ts);
//   3. salvages damaged packs (cut short, no trailer, a record that fails): their good records
//      go to a new pack and the old pack is retired (src/store/salvagePack.ts), so the next
//      check is clean and the next ingest stores the lost blocks again; and seals and indexes the
//      verified records of unsealed packs that killed writers left in packs/tmp
//      (src/store/recoverUnsealedPacks.ts: under the exclusive lock, no writer is alive);
//   4. walks every snapshot to find those that need blocks that are gone, and by default only
//      reports them: re-ingesting a source that still holds the files heals every snapshot that
//      shares the blocks. With dropDamaged each is rewritten without the damaged files
//      (rewriteSnapshot.ts); a snapshot whose root tree cannot be read is forgotten only with
//      forgetUnreadable. No snapshot is ever removed because some of its files are damaged.
//   Between 3 and 4, the changes writable mounts acknowledged but never committed (a killed
//   mount) are committed as snapshots of their hosts (src/live/commitLeftovers.ts), so they
//   are checked with the rest.
// It takes the lock itself, rather than through openRepository, because the catalog must be
// reset before anything opens it.
import { resolve } from 'node:path';
import { addressFromHex } from '../core/address.js';
import type { Reporter } from '../core/reporter.js';
import { parseRepoLocation } from '../backend/parseRepoLocation.js';
import { commitLeftovers, type LeftoverCommit } from '../live/index.js';
import { isEncrypted, readConfig } from '../repo/config.js';
import { repoLayout } from '../repo/layout.js';
import { acquireLock } from '../repo/lock.js';
import { openRepository, type Repository } from '../repo/repository.js';
import type { PasswordSource } from '../repo/repoKeys.js';
import { BadCopies } from '../store/badCopies.js';
import { LocalPacks } from '../store/packSpace.js';
import { saveBlocksToHeal } from '../store/blocksToHeal.js';
import { recoverUnsealedPacks, type RecoverUnsealedResult } from '../store/recoverUnsealedPacks.js';
import { salvagePack, type SalvageResult } from '../store/salvagePack.js';
import { escapeName } from '../tree/nameEscape.js';
import { findDamage } from './findDamage.js';
import { forget } from './forget.js';
import { resetCatalog, type CatalogRepair } from './repairCatalog.js';
import { repairIndex, type IndexRepair } from './repairIndex.js';
import { rewriteSnapshot, type RewrittenSnapshot } from './rewriteSnapshot.js';
import { probeConfig, refuseSuspectConfig } from './suspectConfig.js';

export interface RepairOptions {
  /** an encrypted repository: where its password comes from */
  password?: PasswordSource;
  /** check every block while rebuilding the index; copies that fail are left out */
  readData?: boolean;
  /** rewrite the snapshots that need blocks that are gone without the files that need them */
  dropDamaged?: boolean;
  /** forget the snapshots whose root tree cannot be read (nothing of them can be restored) */
  forgetUnreadable?: boolean;
  lockWaitMs?: number;
  reporter?: Reporter;
  /** stale locks removed, and the like */
  onNotice?: (msg: string) => void;
}

export interface DamagedSnapshot {
  id: string;
  time: string;
  missingBlocks: number;
  /** the paths that need a block that is gone, escaped as ls shows them ('/' for the root) */
  paths: string[];
  /** its root tree cannot be read: nothing of it can be restored */
  rootUnreadable: boolean;
  /** what repair did with it */
  action: 'kept' | 'rewritten' | 'forgotten';
  /** the id of the snapshot that replaces it (action 'rewritten') */
  replacedBy?: string;
}

export interface RepairReport {
  index: IndexRepair;
  catalog: CatalogRepair & { snapshots: number };
  /** damaged packs whose good records were copied to a new pack before they were deleted */
  salvaged: SalvageResult[];
  /** unsealed packs left in packs/tmp by killed writers, sealed and indexed (or removed when empty) */
  unsealed: RecoverUnsealedResult;
  /** snapshots that needed blocks that are gone, and what became of each */
  damagedSnapshots: DamagedSnapshot[];
  /** per rewritten snapshot, the paths it lost */
  rewritten: RewrittenSnapshot[];
  forgotten: string[];
  /** live trees of writable mounts left uncommitted, and the snapshot each was committed as */
  live: LeftoverCommit[];
}

/**
 * Repairs the repository in `dir`.
 * @throws DedupfsError NO_REPOSITORY, LOCKED (another command uses the repository), IO;
 *   REPO_DAMAGED when nearly every block fails its check (config.json is suspected; nothing changed).
 * @example const report = await repair('/backups/repo', { readData: true });
 */
export async function repair(dir: string, opts: RepairOptions = {}): Promise<RepairReport> {
  if (parseRepoLocation(dir).kind === 's3') return (await import('./repairBucket.js')).repairBucket(dir, opts);
  const root = resolve(dir);
  const layout = repoLayout(root);
  const config = await readConfig(layout.config, root);
  const keys = isEncrypted(config) ? await (await import('../repo/repoKeys.js')).unlockRepository(layout, config, { command: 'repair', password: opts.password }) : undefined;
  const lock = await acquireLock(root, { kind: 'exclusive', command: 'repair', waitMs: opts.lockWaitMs, onWarning: opts.onNotice });
  try {
    const badCopies = await BadCopies.load(new LocalPacks(layout));
    const index = await repairIndex(layout, config, badCopies, { readData: opts.readData, reporter: opts.reporter, keys });
    for (const d of index.damaged) badCopies.add(d);
    const catalog = await resetCatalog(layout, keys?.snapshots);
    const repo = await openRepository(root, { lock: 'none', command: 'repair', keys });
    try {
      if (!opts.readData) {
        const probe = await probeConfig(repo.store);
        refuseSuspectConfig(config, probe.failed, probe.read);
      }
      const salvaged = await salvageDamagedPacks(repo, index, badCopies);
      await badCopies.save();
      const unsealed = await recoverUnsealedPacks({
        layout, index: repo.store.index, hash: repo.store.hash, open: repo.store.openSealed, format: repo.store.packs.format, owner: lock.id, liveLocks: async () => new Set([lock.id]),
      });
      const live = await commitLeftovers(repo);
      const report: RepairReport = { index, catalog: { ...catalog, snapshots: 0 }, salvaged, unsealed, damagedSnapshots: [], rewritten: [], forgotten: [], live };
      await mendSnapshots(repo, report, opts);
      return report;
    } finally {
      await repo.close();
    }
  } finally {
    await lock.release();
  }
}

// Step 3: every pack the rebuild found damaged, or that holds a copy known to be bad.
export async function salvageDamagedPacks(repo: Repository, index: IndexRepair, badCopies: BadCopies): Promise<SalvageResult[]> {
  const packs = new Set([...index.problems.map((p) => p.pack), ...badCopies.packs()]);
  const salvaged: SalvageResult[] = [];
  const sealed = new Map((await repo.store.packs.list()).sealed.map((p) => [p.packId, p]));
  for (const packId of [...packs].sort()) {
    const pack = sealed.get(packId);
    const contents = pack && await repo.store.packs.readEntries(pack).catch(() => undefined);
    // A pack that cannot be read, or whose magic is gone, lists no record: nothing can be
    // salvaged from it by walking, so it is left for a person to look at.
    if (!pack || !contents?.entries.length) continue;
    salvaged.push(await salvagePack(repo.store, pack, contents.entries, (offset) => badCopies.has(packId, offset), { keepOld: repo.remote }));
  }
  return salvaged;
}

// Step 4: finds the snapshots that need blocks that are gone and does what was asked with each.
export async function mendSnapshots(repo: Repository, report: RepairReport, opts: RepairOptions): Promise<void> {
  const snapshots = repo.catalog.list();
  report.catalog.snapshots = snapshots.length;
  const judge = (hex: string) => (repo.store.index.has(addressFromHex(hex)) ? undefined : 'missing: no intact copy is stored');
  const damage = await findDamage(repo.store, snapshots, judge, opts.reporter);
  // The lost blocks, so that the next ingest reads again the large files that need them.
  await saveBlocksToHeal(repo.layout, [...damage.snapshots.values()].flatMap((refs) => refs.map((r) => r.address)));
  const unreadable: string[] = [];
  for (const snap of snapshots) {
    const refs = damage.snapshots.get(snap.id) ?? [];
    if (!refs.length) continue;
    const rootUnreadable = refs.some((r) => !r.path.length);
    const paths = [...new Map(refs.map((r) => [r.path.toString('hex'), r.path])).values()];
    const item: DamagedSnapshot = {
      id: snap.id, time: snap.time, missingBlocks: new Set(refs.map((r) => r.address)).size,
      paths: paths.map((p) => (p.length ? escapeName(p) : '/')).sort(), rootUnreadable, action: 'kept',
    };
    report.damagedSnapshots.push(item);
    if (rootUnreadable) {
      if (opts.forgetUnreadable) unreadable.push(snap.id);
    } else if (opts.dropDamaged) {
      const done = await rewriteSnapshot(repo, snap, paths);
      report.rewritten.push(done);
      item.action = 'rewritten';
      item.replacedBy = done.to;
    }
  }
  if (unreadable.length) {
    report.forgotten = (await forget(repo, { snapshots: unreadable })).removed;
    for (const item of report.damagedSnapshots) if (report.forgotten.includes(item.id)) item.action = 'forgotten';
  }
}
