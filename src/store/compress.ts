// Block compression and decompression with zstd-napi's low-level binding. A block is stored
// zstd-compressed, or raw when zstd did not shrink it.
//
// Compression (on the worker threads of compressPool.ts, or on the JavaScript thread when it
// would otherwise wait for them): one context at a fixed level and one output buffer, reused for
// every block of a batch (recordBatch.ts compressBatch), so a block costs no allocation.
//
// Decompression: a record header gives the raw length, so a frame is decompressed straight into
// a buffer of exactly that size, synchronously: measured here, that is cheaper than a round trip
// through libuv's thread pool for a 64 KiB chunk (which decompresses in ~0.1 ms), and it
// allocates nothing else. A caller that reuses memory (the mount's cache) passes `into`, and the
// block is decompressed (or, stored raw, copied) there, so reading allocates nothing at all.
import type Binding from 'zstd-napi/binding.js';
import { lazyRequire } from '../core/lazyRequire.js';
import { Compression } from './pack/format.js';

/** How a repository compresses its blocks (config.json's compression). */
export interface CompressionConfig { algorithm: 'zstd' | 'none'; level: number }

const zstd = lazyRequire<typeof Binding>('zstd-napi/binding.js');

let dctx: InstanceType<typeof Binding.DCtx> | null = null;

/**
 * The raw bytes of a stored block, in a new buffer, or at the start of `into` (at least `rawLength`
 * long) when given; throws when the frame is damaged or not `rawLength` long.
 */
export function decompressBlock(stored: Buffer, compression: Compression, rawLength: number, into?: Buffer): Buffer {
  if (compression !== Compression.Zstd) return into ? into.subarray(0, stored.copy(into)) : stored;
  const raw = into ? into.subarray(0, rawLength) : Buffer.allocUnsafe(rawLength);
  const n = (dctx ??= new (zstd().DCtx)()).decompress(raw, stored);
  if (n !== rawLength) throw new Error(`the frame holds ${n} bytes, not ${rawLength}`);
  return raw;
}

/** Returns the frame of `src` (valid until the next call), or null when it would take more than `limit` bytes. */
export type FrameCompressor = (src: Buffer, limit: number) => Buffer | null;

export function frameCompressor(level: number): FrameCompressor {
  const binding = zstd();
  const cctx = new binding.CCtx();
  cctx.setParameter(binding.CParameter.compressionLevel, level);
  let out = Buffer.allocUnsafe(256 << 10);
  return (src, limit) => {
    if (out.length < limit) out = Buffer.allocUnsafe(limit);
    try {
      return out.subarray(0, cctx.compress2(out.subarray(0, limit), src));
    } catch {
      // "Destination buffer is too small": the frame would not save anything; store it raw.
      return null;
    }
  };
}
