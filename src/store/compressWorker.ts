// A compression worker thread: one zstd context at the repository's level, reused for every
// block it is sent. Runs zstd-napi's synchronous compressor, which honours the level and keeps
// the JavaScript thread of the main process free (see compressPool.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { Compressor } from 'zstd-napi';

export interface CompressRequest { id: number; raw: Uint8Array }
export interface CompressReply { id: number; stored: Uint8Array | null; error?: string }

const compressor = new Compressor();
compressor.setParameters({ compressionLevel: (workerData as { level: number }).level });

parentPort!.on('message', ({ id, raw }: CompressRequest) => {
  try {
    const z = compressor.compress(raw);
    const reply: CompressReply = { id, stored: z.length < raw.length ? z : null };
    // Hand the bytes over without a copy when the buffer is the frame's own (never Node's pool).
    const own = reply.stored && reply.stored.byteOffset === 0 && reply.stored.byteLength === reply.stored.buffer.byteLength;
    parentPort!.postMessage(reply, own ? [reply.stored!.buffer as ArrayBuffer] : []);
  } catch (err) {
    parentPort!.postMessage({ id, stored: null, error: (err as Error).message } satisfies CompressReply);
  }
});
