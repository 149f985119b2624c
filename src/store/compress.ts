// Block compression. zstd runs on libuv's thread pool, so compressing overlaps with chunking
// and hashing on the JavaScript thread. A block that zstd does not shrink is kept raw.
import { compress as zstdCompress, decompress as zstdDecompress } from '@mongodb-js/zstd';
import type { CompressionConfig } from '../repo/config.js';
import { Compression } from './pack/format.js';

export interface Compressed { compression: Compression; stored: Buffer }

export async function compressBlock(raw: Buffer, cfg: CompressionConfig): Promise<Compressed> {
  if (cfg.algorithm === 'none' || raw.length < 64) return { compression: Compression.None, stored: raw };
  const z = await zstdCompress(raw, cfg.level);
  return z.length < raw.length ? { compression: Compression.Zstd, stored: z } : { compression: Compression.None, stored: raw };
}

export async function decompressBlock(stored: Buffer, compression: Compression): Promise<Buffer> {
  return compression === Compression.Zstd ? zstdDecompress(stored) : stored;
}
