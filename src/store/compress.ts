// Block compression: a block is stored zstd-compressed, or raw when zstd does not shrink it.
// Compression runs on worker threads (compressPool.ts); decompression on libuv's thread pool
// through @mongodb-js/zstd. Both read and write standard zstd frames.
import { decompress as zstdDecompress } from '@mongodb-js/zstd';
import type { CompressionConfig } from '../repo/config.js';
import type { CompressPool } from './compressPool.js';
import { Compression } from './pack/format.js';

export interface Compressed { compression: Compression; stored: Buffer }

export async function compressBlock(raw: Buffer, cfg: CompressionConfig, pool: () => CompressPool): Promise<Compressed> {
  if (cfg.algorithm === 'none' || raw.length < 64) return { compression: Compression.None, stored: raw };
  const z = await pool().compress(raw);
  return z ? { compression: Compression.Zstd, stored: z } : { compression: Compression.None, stored: raw };
}

export async function decompressBlock(stored: Buffer, compression: Compression): Promise<Buffer> {
  return compression === Compression.Zstd ? zstdDecompress(stored) : stored;
}
