// The structural half of check that needs no snapshot: do the packs agree with themselves (a
// magic, whole records, a trailer that matches the records), and does every index entry name a
// pack that exists and a record in it that holds that very block, with the same type and
// lengths? Packs are judged from their own entries (readPackEntries), so an index entry into the
// lost tail of a truncated pack, or into a deleted pack, shows up here.
import { addressToHex } from '../core/address.js';
import type { Reporter } from '../core/reporter.js';
import type { BadCopies } from './badCopies.js';
import type { BlockIndex, BlockLocation } from './index/blockIndex.js';
import type { PackFile } from './listPacks.js';
import type { PackEntry } from './pack/format.js';
import { unreachable, type PackSpace } from './packSpace.js';

export interface PackProblem { pack: string; problem: string }
export interface IndexProblem { address: string; pack: string; problem: string }

export interface PackCheck {
  packs: Array<PackFile & { entries: PackEntry[] }>;
  unsealed: PackFile[];
  strays: string[];
  packProblems: PackProblem[];
  indexProblems: IndexProblem[];
  indexEntries: number;
  /** blocks some pack holds (not as a copy known to be bad) that the index does not name, hex -> a pack holding one */
  unindexed: Map<string, string>;
}

/** Reads every pack's entries and checks every index entry against them. */
export async function checkPacks(space: PackSpace, index: BlockIndex, badCopies: BadCopies, reporter?: Reporter): Promise<PackCheck> {
  const listing = await space.list();
  const result: PackCheck = {
    packs: [], unsealed: listing.unsealed, strays: listing.strays, packProblems: [], indexProblems: [], indexEntries: 0, unindexed: new Map(),
  };
  const byPack = new Map<string, Map<number, PackEntry>>();
  for (const file of listing.sealed) {
    reporter?.item?.(`pack ${file.packId}`);
    let entries: PackEntry[] = [];
    try {
      const contents = await space.readEntries(file);
      entries = contents.entries;
      for (const problem of contents.problems) result.packProblems.push({ pack: file.packId, problem });
    } catch (err) {
      if (unreachable(err)) throw err;
      result.packProblems.push({ pack: file.packId, problem: `cannot be read: ${(err as Error).message}` });
    }
    result.packs.push({ ...file, entries });
    byPack.set(file.packId, new Map(entries.map((e) => [e.offset, e])));
    for (const e of entries) if (!index.has(e.address) && !badCopies.has(file.packId, e.offset)) result.unindexed.set(addressToHex(e.address), file.packId);
  }
  for (const [address, loc] of index.entries()) {
    result.indexEntries++;
    const problem = locationProblem(byPack, address, loc);
    if (problem) result.indexProblems.push({ address: addressToHex(address), pack: loc.packId, problem });
  }
  return result;
}

function locationProblem(byPack: Map<string, Map<number, PackEntry>>, address: Buffer, loc: BlockLocation): string | undefined {
  const entries = byPack.get(loc.packId);
  if (!entries) return `pack ${loc.packId} does not exist`;
  const e = entries.get(loc.offset);
  if (!e) return `pack ${loc.packId} holds no block at offset ${loc.offset}`;
  if (!e.address.equals(address)) return `pack ${loc.packId} holds another block at offset ${loc.offset}`;
  if (e.type !== loc.type || e.compression !== loc.compression || e.rawLength !== loc.rawLength || e.storedLength !== loc.storedLength) {
    return `the index and pack ${loc.packId} disagree about the block at offset ${loc.offset}`;
  }
  return undefined;
}
