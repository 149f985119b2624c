// What is done to a batch of new records (recordBatch.ts) away from the block store: compression
// at the repository's level, then, in an encrypted repository, sealing of each block's stored
// bytes. Each thread that seals has its own BlockSealer (a Sealer of src/crypto: its own writer
// session, whose counter nonces no other thread shares; docs/ENCRYPTION.md, Threads). This module
// does not load src/crypto: a plain repository never needs it (start-up); the worker thread
// (compressWorker.ts) and the block store's sealing (BlockSealing) bring their own.
import { SEAL_OVERHEAD } from '../crypto/envelope.js';
import { compressBatch, type BatchLayout, type BlockSealer } from './recordBatch.js';
import { frameCompressor } from './compress.js';
import { CLEAR_PACKS, HEADER_BYTES, type PackFormat } from './pack/format.js';

export interface BatchSettings {
  /** the zstd level; 0 stores blocks uncompressed */
  level: number;
  /** an encrypted repository: the keys a worker thread seals with (BlockSealing.workerKeys) */
  keys?: Uint8Array;
  /** format 4: records are written in the sealed pack layout (sealedFormat.ts), made from `keys` */
  sealedPacks?: boolean;
}

/** Room a block needs after it in a batch for sealing to grow it in place, records being written in `format`. */
export function batchSlack(settings: BatchSettings, format: PackFormat = CLEAR_PACKS): number {
  return settings.keys ? format.headerBytes - format.detached + SEAL_OVERHEAD - HEADER_BYTES : 0;
}

/** Compresses (and seals, with `seal`) the `count` records of a batch in place, as records of `format`; returns their new layout. */
export function batchWork(settings: BatchSettings, seal?: BlockSealer, format: PackFormat = CLEAR_PACKS): (b: Buffer, count: number) => BatchLayout {
  const compress = settings.level > 0 ? frameCompressor(settings.level) : () => null;
  const slack = batchSlack(settings, format);
  return (b, count) => compressBatch(b, count, compress, seal, slack, format);
}
