// One zstd compression context at a fixed level and one output buffer, reused for every block:
// what compressBatch (recordBatch.ts) needs, on a worker thread or on the JavaScript thread.
// It compresses straight into that buffer with zstd-napi's low-level binding, so a block costs
// no allocation.
import binding from 'zstd-napi/binding.js';

/** Returns the frame of `src` (valid until the next call), or null when it would take more than `limit` bytes. */
export type FrameCompressor = (src: Buffer, limit: number) => Buffer | null;

export function frameCompressor(level: number): FrameCompressor {
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
