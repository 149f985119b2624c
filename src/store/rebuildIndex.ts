// Rebuilds the block index from the packs alone (docs/ARCHITECTURE.md, principle 3: each pack
// describes its own contents). Every sealed pack is read from its trailer, or by walking its
// record headers when the trailer is gone (a truncated pack still gives back the blocks before
// the cut). Unsealed packs in packs/tmp/ are left out: by the write order nothing refers to
// their blocks.
//
// When a block lies in several packs (a gc that was killed after copying it), the first pack in
// id order wins; an `accept` filter (repair --read-data) may drop copies that fail to verify, so
// an intact duplicate takes over from a damaged one.
import { addressToHex } from '../core/address.js';
import type { Reporter } from '../core/reporter.js';
import type { BlockIndex } from './index/blockIndex.js';
import type { PackEntry } from './pack/format.js';
import { unreachable, type PackSpace } from './packSpace.js';

export interface RebuildIndexOptions {
  packs: PackSpace;
  /** the index to fill; it is cleared first */
  index: BlockIndex;
  /** keeps only the entries it returns (e.g. those that verify); default: all */
  accept?: (packId: string, entries: PackEntry[]) => Promise<PackEntry[]>;
  /** item(pack id) per pack, bytes(pack size) once it is done */
  reporter?: Reporter;
}

export interface RebuildIndexResult {
  packs: number;
  blocks: number;
  /** copies of a block already indexed from another pack */
  duplicates: number;
  /** entries `accept` dropped */
  rejected: number;
  /** packs that are damaged or unreadable, and what is wrong with them */
  problems: Array<{ pack: string; problem: string }>;
  /** unsealed packs in packs/tmp, left out */
  unsealed: number;
}

/** Clears `index` and names in it every block of every sealed pack. */
export async function rebuildIndex(opts: RebuildIndexOptions): Promise<RebuildIndexResult> {
  const { index, reporter } = opts;
  const listing = await opts.packs.list();
  const result: RebuildIndexResult = { packs: 0, blocks: 0, duplicates: 0, rejected: 0, problems: [], unsealed: listing.unsealed.length };
  reporter?.start?.({ files: listing.sealed.length, bytes: listing.sealed.reduce((n, p) => n + p.size, 0) });
  await index.clear();
  for (const pack of listing.sealed) {
    reporter?.item?.(pack.packId);
    let entries: PackEntry[];
    try {
      const contents = await opts.packs.readEntries(pack);
      for (const problem of contents.problems) result.problems.push({ pack: pack.packId, problem });
      entries = contents.entries;
    } catch (err) {
      if (unreachable(err)) throw err;
      result.problems.push({ pack: pack.packId, problem: `cannot be read: ${(err as Error).message}` });
      continue;
    }
    const accepted = opts.accept ? await opts.accept(pack.packId, entries) : entries;
    result.rejected += entries.length - accepted.length;
    const seen = new Set<string>();
    const fresh = accepted.filter((e) => {
      const hex = addressToHex(e.address);
      if (seen.has(hex) || index.has(e.address)) return false;
      seen.add(hex);
      return true;
    });
    result.duplicates += accepted.length - fresh.length;
    await index.addPack(pack.packId, fresh);
    result.packs++;
    result.blocks += fresh.length;
    reporter?.bytes?.(pack.size);
    reporter?.fileDone?.();
  }
  return result;
}
