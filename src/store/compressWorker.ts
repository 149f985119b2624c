// A compression worker thread: compresses each batch of records it is sent (recordBatch.ts) in
// place, with one zstd context at the repository's level (compress.ts), and hands the batch's
// memory back with the message.
import { parentPort, workerData } from 'node:worker_threads';
import { compressBatch, type BatchLayout } from './recordBatch.js';
import { frameCompressor } from './compress.js';

export interface CompressRequest { id: number; buffer: ArrayBuffer; count: number }
export interface CompressReply { id: number; buffer: ArrayBuffer; layout?: BatchLayout; error?: string }

const compress = frameCompressor((workerData as { level: number }).level);

parentPort!.on('message', ({ id, buffer, count }: CompressRequest) => {
  let reply: CompressReply;
  try {
    reply = { id, buffer, layout: compressBatch(Buffer.from(buffer), count, compress) };
  } catch (err) {
    reply = { id, buffer, error: (err as Error).message };
  }
  parentPort!.postMessage(reply, [buffer]);
});
