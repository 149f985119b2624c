// repair, step 1: a new block index built from the packs (src/store/rebuildIndex.ts) beside the
// old one, then swapped in by renames. Until the swap the old index stays in place, so a killed
// repair leaves the repository as it found it, plus an index-rebuild folder the next repair
// clears (killed between the two renames, it leaves no index, and the next repair builds one).
// The old index is never opened: it may be what is damaged. (No dot in the new folder's name:
// lmdb takes a path with an extension for a file.)
// Copies known to be bad (bad-copies.json) are always left out; with readData, every block is
// checked on the way and copies that fail are left out too and added to that list, so an intact
// spare copy takes their place, and an ingest of the same data stores them again. When nearly
// every block fails, the configuration is suspected instead (suspectConfig.ts) and the old index
// stays in place untouched.
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hashFunction } from '../core/address.js';
import { ioError } from '../core/errors.js';
import { fsyncDir } from '../core/fsyncDir.js';
import type { Reporter } from '../core/reporter.js';
import type { RepoConfig } from '../repo/config.js';
import type { RepoLayout } from '../core/layout.js';
import type { RepoKeys } from '../repo/repoKeys.js';
import { withOwnerOnlyUmask } from '../core/ownerOnly.js';
import type { BadCopies } from '../store/badCopies.js';
import { BlockStore } from '../store/blockStore.js';
import { BlockIndex } from '../store/index/blockIndex.js';
import { rebuildIndex, type RebuildIndexResult } from '../store/rebuildIndex.js';
import { refuseSuspectConfig } from './suspectConfig.js';
import { verifyPack } from './verifyPack.js';

export interface IndexRepair extends RebuildIndexResult {
  /** copies left out because they failed their check (readData only) */
  damaged: Array<{ address: string; pack: string; offset: number; reason: string }>;
}

/** Rebuilds the index of the repository at `layout` from its packs. The caller holds the exclusive lock. */
export async function repairIndex(layout: RepoLayout, config: RepoConfig, badCopies: BadCopies, opts: { readData?: boolean; reporter?: Reporter; keys?: RepoKeys } = {}): Promise<IndexRepair> {
  const fresh = `${layout.index}-rebuild`;
  const old = `${layout.index}-old`;
  await rm(fresh, { recursive: true, force: true });
  const index = withOwnerOnlyUmask(() => BlockIndex.open(fresh));
  const store = new BlockStore({ layout, index, hash: opts.keys?.hash ?? hashFunction(config.hash), sealing: opts.keys?.blocks, compression: config.compression });
  let result: IndexRepair;
  let built = false;
  try {
    result = await refillIndex(store, config, badCopies, opts);
    built = true;
  } finally {
    await store.close();
    await index.close();
    if (!built) await rm(fresh, { recursive: true, force: true });
  }
  try {
    await rm(old, { recursive: true, force: true });
    await rename(layout.index, old).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err; });
    await rename(fresh, layout.index);
    await fsyncDir(dirname(layout.index));
    await rm(old, { recursive: true, force: true });
  } catch (err) {
    throw ioError(err, 'cannot put the rebuilt index in place at', layout.index);
  }
  return result;
}

/**
 * Clears the index of `store` and fills it from the store's packs, leaving out copies known to be
 * bad and, with readData, those that fail their check.
 * @throws DedupfsError REPO_DAMAGED when nearly every block read fails (config.json is suspected).
 */
export async function refillIndex(store: BlockStore, config: RepoConfig, badCopies: BadCopies, opts: { readData?: boolean; reporter?: Reporter } = {}): Promise<IndexRepair> {
  const damaged: IndexRepair['damaged'] = [];
  let verified = 0;
  const result = await rebuildIndex({
    packs: store.packs, index: store.index, reporter: opts.reporter,
    accept: async (packId, entries) => {
      const known = entries.filter((e) => !badCopies.has(packId, e.offset));
      if (!opts.readData) return known;
      const failures = await verifyPack(store, packId, known);
      verified += known.length;
      for (const f of failures) damaged.push({ address: f.entry.address.toString('hex'), pack: packId, offset: f.entry.offset, reason: f.reason });
      const failed = new Set(failures.map((f) => f.entry));
      return known.filter((e) => !failed.has(e));
    },
  });
  await store.index.flush();
  refuseSuspectConfig(config, damaged.length, verified);
  return { ...result, damaged };
}
