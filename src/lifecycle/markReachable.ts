// The mark phase of gc: the addresses of every block some snapshot refers to, found with the
// shared reachability walk (src/tree/walkBlocks.ts). A block seen once is not walked again, so
// subtrees shared between snapshots cost one read. The set holds hex strings: about 120 bytes a
// block, so 10 million blocks (some 600 GB of data) take a bit over 1 GB of memory.
import { addressFromHex, addressToHex } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import type { BlockReader } from '../core/blocks.js';
import { walkBlocks } from '../tree/walkBlocks.js';

/**
 * Marks every block reachable from `snapshots`.
 * @throws DedupfsError REPO_DAMAGED when a tree or list block of a snapshot cannot be read:
 *   without it, what the snapshot needs is unknown, so nothing may be deleted.
 */
export async function markReachable(store: BlockReader, snapshots: Snapshot[], reporter?: Reporter): Promise<Set<string>> {
  const live = new Set<string>();
  for (const snap of snapshots) {
    reporter?.item?.(`snapshot ${snap.id.slice(0, 8)}`);
    try {
      await walkBlocks(store, addressFromHex(snap.root), (address) => {
        const hex = addressToHex(address);
        if (live.has(hex)) return false;
        live.add(hex);
        return true;
      });
    } catch (err) {
      if (!(err instanceof DedupfsError) || err.code !== 'BLOCK_DAMAGED' && err.code !== 'REPO_DAMAGED') throw err;
      throw new DedupfsError('REPO_DAMAGED', `cannot read the trees of snapshot ${snap.id.slice(0, 8)}: ${err.message}`, {
        hint: "gc deletes nothing while what a snapshot needs is unknown: run 'dedupfs repair', which lists what is lost and keeps every snapshot",
        data: { snapshot: snap.id }, cause: err,
      });
    }
    reporter?.fileDone?.();
  }
  return live;
}
