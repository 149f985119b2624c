// Compresses batches of records on worker threads, one per core besides the one the JavaScript
// thread keeps busy (reading, chunking, hashing), at least one and at most 4. Measured on our 2
// cores, alternating, medians of 11: two workers ingest the bench corpus ~4% faster than one,
// but each costs ~12 MiB of memory (a Node environment of its own), which the memory goal
// cannot spare. @mongodb-js/zstd's async compress ignored the level and spent ~1.1 s of the
// JavaScript thread per GB in its binding; zstd-napi in workers runs at the configured level.
// A batch's memory is transferred to the worker and back, never copied.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { CompressReply } from './compressWorker.js';
import type { BatchLayout } from './recordBatch.js';

interface Waiter { resolve(reply: { buffer: ArrayBuffer; layout: BatchLayout }): void; reject(err: Error): void }

export class CompressPool {
  private readonly workers: Array<{ worker: Worker; busy: number }>;
  private readonly waiting = new Map<number, Waiter & { slot: { busy: number } }>();
  private nextId = 0;

  constructor(level: number, size = Math.max(1, Math.min(4, availableParallelism() - 1))) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL('./compressWorker.js', import.meta.url), { workerData: { level } });
      worker.on('message', (reply: CompressReply) => this.settle(reply));
      worker.on('error', (err) => this.failAll(err));
      worker.unref();
      return { worker, busy: 0 };
    });
  }

  /**
   * Compresses the `count` records at the start of `buffer` (see recordBatch.ts). The buffer is
   * detached here and comes back, compressed in place, with the records' new layout.
   */
  compress(buffer: ArrayBuffer, count: number): Promise<{ buffer: ArrayBuffer; layout: BatchLayout }> {
    const id = this.nextId++;
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    slot.busy++;
    // Workers keep the process alive only while they owe an answer.
    if (this.waiting.size === 0) for (const w of this.workers) w.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, slot });
      slot.worker.postMessage({ id, buffer, count }, [buffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.failAll(new Error('compression pool closed'));
  }

  private settle(reply: CompressReply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    waiter.slot.busy--;
    if (this.waiting.size === 0) for (const w of this.workers) w.worker.unref();
    if (reply.error || !reply.layout) waiter.reject(new Error(`zstd: ${reply.error}`));
    else waiter.resolve({ buffer: reply.buffer, layout: reply.layout });
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
