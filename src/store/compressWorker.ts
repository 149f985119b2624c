// A compression worker thread: one zstd context at the repository's level and one output
// buffer, reused for every batch of records it is sent (recordBatch.ts). It compresses straight
// into that buffer with zstd-napi's low-level binding, so a batch costs no allocation here, and
// hands the batch's memory back with the message. zstd-napi honours the level; the JavaScript
// thread of the main process is left to reading, chunking and hashing.
import { parentPort, workerData } from 'node:worker_threads';
import binding from 'zstd-napi/binding.js';
import { compressBatch, type BatchLayout } from './recordBatch.js';

export interface CompressRequest { id: number; buffer: ArrayBuffer; count: number }
export interface CompressReply { id: number; buffer: ArrayBuffer; layout?: BatchLayout; error?: string }

const cctx = new binding.CCtx();
cctx.setParameter(binding.CParameter.compressionLevel, (workerData as { level: number }).level);
let out = Buffer.allocUnsafe(256 << 10);

/** The frame of `src` in `out`, or null when it would take more than `limit` bytes. */
function compress(src: Buffer, limit: number): Buffer | null {
  if (out.length < limit) out = Buffer.allocUnsafe(limit);
  try {
    return out.subarray(0, cctx.compress2(out.subarray(0, limit), src));
  } catch {
    // "Destination buffer is too small": the frame would not save anything; store it raw.
    return null;
  }
}

parentPort!.on('message', ({ id, buffer, count }: CompressRequest) => {
  let reply: CompressReply;
  try {
    reply = { id, buffer, layout: compressBatch(Buffer.from(buffer), count, compress) };
  } catch (err) {
    reply = { id, buffer, error: (err as Error).message };
  }
  parentPort!.postMessage(reply, [buffer]);
});
