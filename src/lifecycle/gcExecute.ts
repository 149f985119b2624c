// The execute half of gc: carries out a GcPlan under an exclusive lock. The order of steps is
// the crash story; a kill at any point loses no block a snapshot refers to:
//   1. the index is pointed at every kept copy it did not name;
//   2. the kept blocks of packs being rewritten are copied (checked on the way) into new packs,
//      each sealed before the index names it: until then the old copies are the ones in use;
//   3. index entries that still name a pack about to go (its dead blocks) are removed, and the
//      index is flushed to disk;
//   4. in a bucket, a full index object names what the index now holds (indexObjects.ts), so
//      no index object that other caches use names a pack about to go;
//   5. only then are the old packs and the packs/tmp leftovers deleted (and, in a bucket, the
//      index objects the full one supersedes).
// A kill between steps leaves duplicates, or packs that nothing names, for the next gc.
// A pack with a kept block that fails its check is not deleted: it is reported and kept.
import { DedupfsError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import type { Address } from '../core/address.js';
import type { Repository } from '../repo/repository.js';
import { StoreMaintenance, type PackEntry } from '../store/index.js';
import type { GcPlan } from './gcPlan.js';

export interface GcResult {
  deletedPacks: number;
  rewrittenPacks: number;
  newPacks: number;
  copiedBlocks: number;
  removedIndexEntries: number;
  removedUnsealed: number;
  /** packs kept although planned to go, because a block they hold failed its check */
  keptDamaged: Array<{ pack: string; reason: string }>;
  /** sizes of the pack files (packs/ and packs/tmp/) before and after */
  bytesBefore: number;
  bytesAfter: number;
  freedBytes: number;
}

/**
 * Deletes and rewrites packs as `plan` says. The repository must be locked exclusively.
 * @throws DedupfsError REPO_DAMAGED when the plan found reachable blocks missing.
 */
export async function executeGc(repo: Repository, plan: GcPlan, opts: { reporter?: Reporter; reseal?: boolean } = {}): Promise<GcResult> {
  if (plan.missing.length) {
    throw new DedupfsError('REPO_DAMAGED', `${plan.missing.length} blocks that snapshots refer to are missing; gc deletes nothing`, {
      hint: "run 'dedupfs repair' to see which snapshots and paths need them; re-ingesting a source that holds those files heals them",
      data: { missing: plan.missing.slice(0, 20) },
    });
  }
  const store = new StoreMaintenance(repo.store);
  const reporter = opts.reporter ?? {};
  const bytesBefore = await packBytes(store);
  const reindex = new Map<string, PackEntry[]>();
  for (const { packId, entry } of plan.reindex) {
    const list = reindex.get(packId);
    if (list) list.push(entry);
    else reindex.set(packId, [entry]);
  }
  for (const [packId, entries] of reindex) await store.indexCopies(packId, entries);

  const going = new Set(plan.deletePacks.map((p) => p.packId));
  const keptDamaged: GcResult['keptDamaged'] = [];
  const copier = store.copier();
  reporter.start?.({ files: plan.rewritePacks.length, bytes: plan.bytes.copy });
  try {
    for (const pack of plan.rewritePacks) {
      reporter.item?.(`pack ${pack.packId}`);
      // With `reseal` (an encrypted repository), each block is sealed again under the newest key generation.
      const failure = await store.copyBlocks(pack.packId, pack.live, copier, { reseal: opts.reseal, onBytes: (n) => reporter.bytes?.(n) });
      if (failure) {
        keptDamaged.push({ pack: pack.packId, reason: failure });
        reporter.warning?.(`pack ${pack.packId} is kept: ${failure}`);
      } else {
        going.add(pack.packId);
      }
      reporter.fileDone?.();
    }
    await copier.finish();
  } catch (err) {
    await copier.abort();
    throw err;
  }

  const removedIndexEntries = await forgetPacks(store, going, new Set([...plan.packs.map((p) => p.packId), ...copier.packIds]));
  await store.flushIndex();

  const superseded = going.size || copier.packIds.length ? await repo.indexObjects?.addFull() : undefined;
  await store.dropPacks([...plan.packs.filter((p) => going.has(p.packId)), ...plan.unsealed]);
  if (superseded) await repo.indexObjects!.dropSuperseded(superseded);
  await (await store.loadBadCopies()).save(); // drops the copies of deleted packs

  const bytesAfter = await packBytes(store);
  return {
    deletedPacks: going.size, rewrittenPacks: going.size - plan.deletePacks.length, newPacks: copier.packIds.length,
    copiedBlocks: copier.blocks, removedIndexEntries, removedUnsealed: plan.unsealed.length, keptDamaged,
    bytesBefore, bytesAfter, freedBytes: bytesBefore - bytesAfter,
  };
}

// Removes every index entry that names a pack in `going` or a pack that does not exist (kept
// blocks were pointed elsewhere in steps 1 and 2, so these are all dead). Returns how many.
async function forgetPacks(store: StoreMaintenance, going: Set<string>, existing: Set<string>): Promise<number> {
  const byPack = new Map<string, Address[]>();
  for (const [address, loc] of store.indexEntries()) {
    if (!going.has(loc.packId) && existing.has(loc.packId)) continue;
    const list = byPack.get(loc.packId);
    if (list) list.push(address);
    else byPack.set(loc.packId, [address]);
  }
  let n = 0;
  for (const [packId, addresses] of byPack) {
    await store.unindex(packId, addresses);
    n += addresses.length;
  }
  return n;
}

async function packBytes(store: StoreMaintenance): Promise<number> {
  const listing = await store.listPacks();
  return [...listing.sealed, ...listing.unsealed].reduce((n, p) => n + p.size, 0);
}
