// What is done to a batch of new records (recordBatch.ts) away from the block store: compression
// at the repository's level, then, in an encrypted repository, sealing of each block's stored
// bytes. Each thread that seals has its own BlockSealer (a Sealer of src/crypto: its own writer
// session, whose counter nonces no other thread shares; docs/ENCRYPTION.md, Threads). This module
// does not load src/crypto: a plain repository never needs it (start-up); the worker thread
// (compressWorker.ts) and the block store's sealing (BlockSealing) bring their own.
import { SEAL_OVERHEAD } from '../crypto/envelope.js';
import { compressBatch, type BatchLayout, type BlockSealer } from './recordBatch.js';
import { frameCompressor } from './compress.js';

export interface BatchSettings {
  /** the zstd level; 0 stores blocks uncompressed */
  level: number;
  /** an encrypted repository: the keys a worker thread seals with (BlockSealing.workerKeys) */
  keys?: Uint8Array;
}

/** Room a block needs after it in a batch for sealing to grow it in place. */
export function batchSlack(settings: BatchSettings): number {
  return settings.keys ? SEAL_OVERHEAD : 0;
}

/** Compresses (and seals, with `seal`) the `count` records of a batch in place; returns their new layout. */
export function batchWork(settings: BatchSettings, seal?: BlockSealer): (b: Buffer, count: number) => BatchLayout {
  const compress = settings.level > 0 ? frameCompressor(settings.level) : () => null;
  const slack = batchSlack(settings);
  return (b, count) => compressBatch(b, count, compress, seal, slack);
}
