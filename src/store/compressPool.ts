// Compresses blocks on worker threads, one per core. Measured here (2 cores, 64 KiB chunks of
// text): @mongodb-js/zstd's async compress ignores the level and spends ~1.1 s of the
// JavaScript thread per GB in its binding; zstd-napi in workers runs each core at the
// configured level (172 MB/s at level 3, 212 at level 1) and leaves the JavaScript thread to
// chunking and hashing. Decompression stays on @mongodb-js/zstd (compress.ts).
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { CompressReply } from './compressWorker.js';

interface Waiter { resolve(stored: Buffer | null): void; reject(err: Error): void }

export class CompressPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 0;

  constructor(level: number, size = Math.max(1, Math.min(4, availableParallelism()))) {
    this.workers = Array.from({ length: size }, () => {
      const w = new Worker(new URL('./compressWorker.js', import.meta.url), { workerData: { level } });
      w.on('message', (reply: CompressReply) => this.settle(reply));
      w.on('error', (err) => this.failAll(err));
      w.unref();
      return w;
    });
  }

  /** The zstd frame of `raw`, or null when it would not be smaller than `raw`. */
  compress(raw: Buffer): Promise<Buffer | null> {
    const id = this.nextId++;
    // Structured cloning costs several times a plain copy: copy the bytes once into a buffer of
    // their own and transfer that (the caller keeps `raw`).
    const bytes = Uint8Array.prototype.slice.call(raw);
    const worker = this.workers[id % this.workers.length];
    // Workers keep the process alive only while they owe an answer.
    if (this.waiting.size === 0) for (const w of this.workers) w.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, raw: bytes }, [bytes.buffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.failAll(new Error('compression pool closed'));
  }

  private settle(reply: CompressReply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) for (const w of this.workers) w.unref();
    if (reply.error) waiter.reject(new Error(`zstd: ${reply.error}`));
    else waiter.resolve(reply.stored ? Buffer.from(reply.stored.buffer, reply.stored.byteOffset, reply.stored.byteLength) : null);
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
