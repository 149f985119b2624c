// What is done to a batch of new records (recordBatch.ts) away from the block store: compression
// at the repository's level, then, in an encrypted repository, sealing of each block's stored
// bytes (src/crypto). Each thread that seals makes its own with batchWork(), and so owns its own
// Sealer: its own writer session, whose counter nonces no other thread shares (docs/ENCRYPTION.md,
// Threads). Sealing needs only the public half of the keys, so a write-only key seals too.
import { decodeKeyMaterial, SEAL_OVERHEAD, Sealer } from '../crypto/index.js';
import { compressBatch, type BatchLayout } from './recordBatch.js';
import { frameCompressor } from './compress.js';

export interface BatchSettings {
  /** the zstd level; 0 stores blocks uncompressed */
  level: number;
  /** an encrypted repository: its key material as encodeKeyMaterial gives it (the write-only view is enough) */
  keys?: Uint8Array;
}

/** Room a block needs after it in a batch for sealing to grow it in place. */
export function batchSlack(settings: BatchSettings): number {
  return settings.keys ? SEAL_OVERHEAD : 0;
}

/** Compresses (and seals) the `count` records of a batch in place; returns their new layout. */
export function batchWork(settings: BatchSettings): (b: Buffer, count: number) => BatchLayout {
  const compress = settings.level > 0 ? frameCompressor(settings.level) : () => null;
  const material = settings.keys ? decodeKeyMaterial(Buffer.from(settings.keys)) : null;
  if (settings.keys && !material) throw new Error('the batch worker was given damaged key material');
  const sealer = material ? new Sealer(material) : null;
  const seal = sealer ? (address: Buffer, type: number, stored: Buffer) => sealer.sealBlock(address, type, stored) : undefined;
  const slack = batchSlack(settings);
  return (b, count) => compressBatch(b, count, compress, seal, slack);
}
