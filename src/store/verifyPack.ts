// Reads every block a pack lists and checks it: the record header names the block, the stored
// bytes decompress to the right length, and they hash to the block's address (BlockStore.read
// does all three). Shared by `check --read-data` and `repair --read-data`. A few reads run at
// once so that reading, zstd (on the thread pool) and hashing overlap.
import { DedupfsError } from '../core/errors.js';
import { Limiter } from '../core/limiter.js';
import type { BlockStore } from './blockStore.js';
import { recordBytes, type PackEntry } from './pack/format.js';

export interface BlockFailure { entry: PackEntry; reason: string }

const CONCURRENCY = 8;

/**
 * Checks the blocks `entries` of pack `packId` (as the pack itself lists them).
 * @param onBytes called with each block's record size once it is checked (for progress)
 * @returns the blocks that failed (unreadable or damaged), with why.
 */
export async function verifyPack(store: BlockStore, packId: string, entries: PackEntry[], onBytes?: (n: number) => void): Promise<BlockFailure[]> {
  const limiter = new Limiter(CONCURRENCY);
  const failures: BlockFailure[] = [];
  await Promise.all(entries.map((entry) => limiter.run(async () => {
    try {
      await store.read(entry.address, { ...entry, packId });
    } catch (err) {
      if (!(err instanceof DedupfsError) || err.code !== 'BLOCK_DAMAGED') throw err;
      failures.push({ entry, reason: blockProblem(err.message) });
    }
    onBytes?.(recordBytes(store.packs.format, entry.storedLength));
  })));
  return failures.sort((a, b) => a.entry.offset - b.entry.offset);
}

/**
 * A block error's message without the "block <address> in pack <id>" it starts with, which the
 * report says anyway: 'damaged (content does not match its hash)', 'missing from the index'.
 */
export function blockProblem(message: string): string {
  return message.replace(/^block [0-9a-f]{64} (in pack [0-9a-f]+ )?(is )?/, '');
}
