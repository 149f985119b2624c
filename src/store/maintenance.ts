// The store's front door for maintenance: what gc, check and repair (src/lifecycle) need from the
// packs and the index, asked for by what it means (list the packs with their entries, copy the
// live blocks of a pack into new packs, verify a pack, drop packs, rebuild the index, salvage a
// damaged pack, take over unsealed leftovers) rather than by reaching into pack files, record
// headers or LMDB. Lifecycle keeps the policy (what is live, what goes, what is reported); how
// it is done to packs stays here, under the write order of docs/ARCHITECTURE.md (a new copy is
// sealed and indexed before an old one is dropped).
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Address } from '../core/address.js';
import { DedupfsError, ioError } from '../core/errors.js';
import { fsyncDir } from '../core/fsyncDir.js';
import { packPath, type RepoLayout } from '../core/layout.js';
import { withOwnerOnlyUmask } from '../core/ownerOnly.js';
import type { Reporter } from '../core/reporter.js';
import { BadCopies } from './badCopies.js';
import { BlockStore, type BlockStoreOptions } from './blockStore.js';
import { checkPacks, type PackCheck } from './checkPacks.js';
import { BlockIndex, type BlockLocation } from './index/blockIndex.js';
import type { PackFile, PackListing } from './listPacks.js';
import { recordBytes, type PackEntry } from './pack/format.js';
import type { PackContents } from './pack/readPackEntries.js';
import { PackCopier } from './packCopier.js';
import { LocalPacks, packKey } from './packSpace.js';
import { rebuildIndex, type RebuildIndexResult } from './rebuildIndex.js';
import { recoverUnsealedPacks, type RecoverUnsealedResult } from './recoverUnsealedPacks.js';
import { salvagePack, type SalvageResult } from './salvagePack.js';
import { verifyPack, type BlockFailure } from './verifyPack.js';

/** Blocks read at once while copying: overlaps reads, decompression (thread pool) and hashing. */
const READ_AHEAD = 8;

export class StoreMaintenance {
  constructor(private readonly store: BlockStore) {}

  /** The bytes a block takes in its pack, in the pack layout of this repository's format. */
  recordBytes(entry: PackEntry): number {
    return recordBytes(this.store.packs.format, entry.storedLength);
  }

  /** Sealed packs (sorted by id), unsealed leftovers of killed writers, and strays. */
  listPacks(): Promise<PackListing> {
    return this.store.packs.list();
  }

  /** A pack's entries, from its trailer or by walking its headers, and what is wrong with it. */
  packEntries(pack: PackFile): Promise<PackContents> {
    return this.store.packs.readEntries(pack).catch((err) => {
      if (err instanceof DedupfsError) throw err;
      throw ioError(err, 'cannot read pack', pack.path);
    });
  }

  /** Checks every pack against its own entries and every index entry against the packs (checkPacks.ts). */
  checkPacks(badCopies: BadCopies, reporter?: Reporter): Promise<PackCheck> {
    return checkPacks(this.store.packs, this.store.index, badCopies, reporter);
  }

  /** The copies known to be bad (bad-copies.json). */
  loadBadCopies(): Promise<BadCopies> {
    return BadCopies.load(this.store.packs);
  }

  /** Where the index names the block, if it does. */
  located(address: Address): BlockLocation | undefined {
    return this.store.index.get(address);
  }

  /** Reads and checks the block at a known location: BLOCK_DAMAGED when it fails. */
  readBlock(address: Address, loc: BlockLocation): Promise<Buffer> {
    return this.store.read(address, loc);
  }

  /** Every index entry. */
  indexEntries(): Iterable<[Address, BlockLocation]> {
    return this.store.index.entries();
  }

  /** Points the index at these copies in pack `packId`. */
  indexCopies(packId: string, entries: PackEntry[]): Promise<void> {
    return this.store.index.addPack(packId, entries);
  }

  /** Takes the blocks `addresses` of pack `packId` out of the index. */
  unindex(packId: string, addresses: Address[]): Promise<void> {
    return this.store.index.removePack(packId, addresses);
  }

  /** Makes the index's changes durable. */
  flushIndex(): Promise<void> {
    return this.store.index.flush();
  }

  /** A writer of new packs for copied blocks: each is sealed before the index names it (packCopier.ts). */
  copier(): PackCopier {
    return new PackCopier(this.store.packs, this.store.index);
  }

  /**
   * Copies the blocks `entries` of pack `packId`, checked, through `copier`; with `reseal` (an
   * encrypted repository) each is sealed again under the newest key generation. Returns why it
   * could not (a block that fails its check), else undefined.
   */
  async copyBlocks(packId: string, entries: PackEntry[], copier: PackCopier, opts: { reseal?: boolean; onBytes?: (n: number) => void } = {}): Promise<string | undefined> {
    const { store } = this;
    const reseal = opts.reseal ? store.reseal : undefined;
    const readBatch = (from: number) => {
      const batch = Promise.all(entries.slice(from, from + READ_AHEAD).map((e) => store.readRecord(e.address, { ...e, packId })));
      batch.catch(() => undefined); // handled where it is awaited; this keeps an early failure from counting as unhandled
      return batch;
    };
    // The next batch is read (and checked) while this one is appended.
    let next = readBatch(0);
    for (let i = 0; i < entries.length; i += READ_AHEAD) {
      let records;
      try {
        records = await next;
      } catch (err) {
        if (err instanceof DedupfsError && err.code === 'BLOCK_DAMAGED') return err.message;
        throw err;
      }
      next = readBatch(i + READ_AHEAD);
      for (let j = 0; j < records.length; j++) {
        const entry = entries[i + j];
        await copier.append(entry, reseal ? reseal(entry.address, entry.type, records[j].stored) : records[j].stored);
        opts.onBytes?.(entry.storedLength);
      }
    }
    return undefined;
  }

  /** Reads and checks the blocks `entries` of pack `packId`; returns those that fail, with why (verifyPack.ts). */
  verifyPack(packId: string, entries: PackEntry[], onBytes?: (n: number) => void): Promise<BlockFailure[]> {
    return verifyPack(this.store, packId, entries, onBytes);
  }

  /** Deletes packs (sealed, or unsealed leftovers). Nothing may name a block in them any more. */
  dropPacks(packs: PackFile[]): Promise<void> {
    return this.store.packs.remove(packs);
  }

  /** Deletes the sealed packs `packIds` (salvageDamaged with keepOld leaves them to the caller). */
  dropPackIds(packIds: string[]): Promise<void> {
    const { packs } = this.store;
    return packs.remove(packIds.map((packId) => ({ packId, path: packs.remote ? packKey(packId) : packPath(packs.layout, packId), size: 0 })));
  }

  /** Copies the good records of a damaged pack into a new one, then retires it (salvagePack.ts). */
  salvage(pack: PackFile, entries: PackEntry[], isBad: (offset: number) => boolean, opts: { keepOld?: boolean } = {}): Promise<SalvageResult> {
    return salvagePack(this.store, pack, entries, isBad, opts);
  }

  /** Seals and indexes the verified records of unsealed packs whose writers are gone (recoverUnsealedPacks.ts). */
  recoverUnsealed(owner: string, liveLocks: () => Promise<Set<string>>): Promise<RecoverUnsealedResult> {
    const { store } = this;
    return recoverUnsealedPacks({ layout: store.packs.layout, index: store.index, hash: store.hash, open: store.openSealed, format: store.packs.format, owner, liveLocks });
  }

  /**
   * Clears the index and fills it from the packs (rebuildIndex.ts), keeping of each pack the
   * entries `accept` returns; the index is flushed.
   */
  async refillIndex(accept: (packId: string, entries: PackEntry[]) => Promise<PackEntry[]>, reporter?: Reporter): Promise<RebuildIndexResult> {
    const result = await rebuildIndex({ packs: this.store.packs, index: this.store.index, reporter, accept });
    await this.store.index.flush();
    return result;
  }
}

/** The copies known to be bad of the folder repository at `layout`, before it is opened (repair). */
export function folderBadCopies(layout: RepoLayout): Promise<BadCopies> {
  return BadCopies.load(new LocalPacks(layout));
}

/**
 * Builds a new block index for the folder repository of `opts.layout` beside the old one, with
 * `refill` given a store over it, then swaps it in by renames. Until the swap the old index stays
 * in place, so a kill leaves the repository as it was, plus an index-rebuild folder the next
 * rebuild clears (killed between the two renames, it leaves no index, and the next one builds
 * it). The old index is never opened: it may be what is damaged. (No dot in the new folder's
 * name: lmdb takes a path with an extension for a file.)
 */
export async function rebuildIndexAside<T>(opts: Omit<BlockStoreOptions, 'index'>, refill: (store: StoreMaintenance) => Promise<T>): Promise<T> {
  const { layout } = opts;
  const fresh = `${layout.index}-rebuild`;
  const old = `${layout.index}-old`;
  await rm(fresh, { recursive: true, force: true });
  const index = withOwnerOnlyUmask(() => BlockIndex.open(fresh));
  const store = new BlockStore({ ...opts, index });
  let result: T;
  let built = false;
  try {
    result = await refill(new StoreMaintenance(store));
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
