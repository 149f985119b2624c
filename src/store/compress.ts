// Block decompression: a block is stored zstd-compressed, or raw when zstd did not shrink it
// (compression itself runs on worker threads: compressPool.ts). A record header gives the raw
// length, so a frame is decompressed straight into a buffer of exactly that size, synchronously
// with zstd-napi: measured here, that is cheaper than a round trip through libuv's thread pool
// for a 64 KiB chunk (which decompresses in ~0.1 ms), and it allocates nothing else.
import binding from 'zstd-napi/binding.js';
import { Compression } from './pack/format.js';

let dctx: InstanceType<typeof binding.DCtx> | null = null;

/** The raw bytes of a stored block; throws when the frame is damaged or not `rawLength` long. */
export function decompressBlock(stored: Buffer, compression: Compression, rawLength: number): Buffer {
  if (compression !== Compression.Zstd) return stored;
  const raw = Buffer.allocUnsafe(rawLength);
  const n = (dctx ??= new binding.DCtx()).decompress(raw, stored);
  if (n !== rawLength) throw new Error(`the frame holds ${n} bytes, not ${rawLength}`);
  return raw;
}
