// repair, step 1: a new block index built from the packs beside the old one, then swapped in by
// renames (rebuildIndexAside, src/store/maintenance.ts): a killed repair leaves the repository as
// it found it. The old index is never opened: it may be what is damaged.
// Copies known to be bad (bad-copies.json) are always left out; with readData, every block is
// checked on the way and copies that fail are left out too and added to that list, so an intact
// spare copy takes their place, and an ingest of the same data stores them again. When nearly
// every block fails, the configuration is suspected instead (suspectConfig.ts) and the old index
// stays in place untouched.
import { hashFunction } from '../core/address.js';
import type { RepoLayout } from '../core/layout.js';
import type { Reporter } from '../core/reporter.js';
import type { RepoConfig } from '../repo/config.js';
import type { RepoKeys } from '../repo/repoKeys.js';
import { rebuildIndexAside, type BadCopies, type RebuildIndexResult, type StoreMaintenance } from '../store/index.js';
import { refuseSuspectConfig } from './suspectConfig.js';

export interface IndexRepair extends RebuildIndexResult {
  /** copies left out because they failed their check (readData only) */
  damaged: Array<{ address: string; pack: string; offset: number; reason: string }>;
}

/** Rebuilds the index of the repository at `layout` from its packs. The caller holds the exclusive lock. */
export async function repairIndex(layout: RepoLayout, config: RepoConfig, badCopies: BadCopies, opts: { readData?: boolean; reporter?: Reporter; keys?: RepoKeys } = {}): Promise<IndexRepair> {
  const store = { layout, hash: opts.keys?.hash ?? hashFunction(config.hash), sealing: opts.keys?.blocks, compression: config.compression };
  return rebuildIndexAside(store, (fresh) => refillIndex(fresh, config, badCopies, opts));
}

/**
 * Clears the index of `store` and fills it from the store's packs, leaving out copies known to be
 * bad and, with readData, those that fail their check.
 * @throws DedupfsError REPO_DAMAGED when nearly every block read fails (config.json is suspected).
 */
export async function refillIndex(store: StoreMaintenance, config: RepoConfig, badCopies: BadCopies, opts: { readData?: boolean; reporter?: Reporter } = {}): Promise<IndexRepair> {
  const damaged: IndexRepair['damaged'] = [];
  let verified = 0;
  const result = await store.refillIndex(async (packId, entries) => {
    const known = entries.filter((e) => !badCopies.has(packId, e.offset));
    if (!opts.readData) return known;
    const failures = await store.verifyPack(packId, known);
    verified += known.length;
    for (const f of failures) damaged.push({ address: f.entry.address.toString('hex'), pack: packId, offset: f.entry.offset, reason: f.reason });
    const failed = new Set(failures.map((f) => f.entry));
    return known.filter((e) => !failed.has(e));
  }, opts.reporter);
  refuseSuspectConfig(config, damaged.length, verified);
  return { ...result, damaged };
}
