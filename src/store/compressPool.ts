// Compresses (and in an encrypted repository seals: batchWork.ts) batches of records on worker threads, one per core besides the one the JavaScript
// thread keeps busy (reading, chunking, hashing), at least one and at most 4. Measured on our 2
// cores, alternating, medians of 11: two workers ingest the bench corpus ~4% faster than one,
// but each costs ~12 MiB of memory (a Node environment of its own), which the memory goal
// cannot spare. @mongodb-js/zstd's async compress ignored the level and spent ~1.1 s of the
// JavaScript thread per GB in its binding; zstd-napi in workers runs at the configured level.
// A batch's memory is transferred to the worker and back, never copied. Each worker holds at
// most two batches (the one it compresses and the next); the rest wait here, and a caller that
// would otherwise sit idle (BlockStore.waitForRoom) compresses one of them on its own thread.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { CompressReply } from './compressWorker.js';
import type { BatchLayout, BlockSealer } from './recordBatch.js';
import { batchWork, type BatchSettings } from './batchWork.js';
import type { PackFormat } from './pack/format.js';

interface Compressed { buffer: ArrayBuffer; layout: BatchLayout }
interface Job { buffer: ArrayBuffer; count: number; resolve(done: Compressed): void; reject(err: Error): void }
interface Slot { worker: Worker; busy: number }

/** Batches a worker holds at once: the next is there when it finishes one, whatever this thread is doing. */
const PER_WORKER = 2;

export class CompressPool {
  private readonly workers: Slot[];
  private readonly waiting = new Map<number, Job & { slot: Slot }>();
  private queued: Job[] = [];
  private nextId = 0;
  /** for compressOneHere, made on first use */
  private here: ((b: Buffer, count: number) => BatchLayout) | null = null;

  /**
   * `hereSealer`: an encrypted repository's sealer for compressOneHere (this thread's own
   * session); `format`: the layout of the records, the same the workers make from `settings`.
   */
  constructor(private readonly settings: BatchSettings, size = Math.max(1, Math.min(4, availableParallelism() - 1)), private readonly hereSealer?: () => BlockSealer,
    private readonly format?: PackFormat) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL('./compressWorker.js', import.meta.url), { workerData: settings });
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
  compress(buffer: ArrayBuffer, count: number): Promise<Compressed> {
    return new Promise((resolve, reject) => {
      this.queued.push({ buffer, count, resolve, reject });
      this.sendQueued();
    });
  }

  /** Compresses one waiting batch on the calling thread; false when none is waiting. */
  compressOneHere(): boolean {
    const job = this.queued.shift();
    if (!job) return false;
    this.here ??= batchWork(this.settings, this.hereSealer?.(), this.format);
    try {
      job.resolve({ buffer: job.buffer, layout: this.here(Buffer.from(job.buffer), job.count) });
    } catch (err) {
      job.reject(new Error(`zstd: ${(err as Error).message}`));
    }
    return true;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.failAll(new Error('compression pool closed'));
  }

  private sendQueued(): void {
    while (this.queued.length) {
      const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
      if (slot.busy >= PER_WORKER) return;
      const job = this.queued.shift()!;
      const id = this.nextId++;
      slot.busy++;
      // Workers keep the process alive only while they owe an answer.
      if (this.waiting.size === 0) for (const w of this.workers) w.worker.ref();
      this.waiting.set(id, { ...job, slot });
      slot.worker.postMessage({ id, buffer: job.buffer, count: job.count }, [job.buffer]);
    }
  }

  private settle(reply: CompressReply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    waiter.slot.busy--;
    if (this.waiting.size === 0) for (const w of this.workers) w.worker.unref();
    if (reply.error || !reply.layout) waiter.reject(new Error(`zstd: ${reply.error}`));
    else waiter.resolve({ buffer: reply.buffer, layout: reply.layout });
    this.sendQueued();
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
    for (const job of this.queued) job.reject(err);
    this.queued = [];
  }
}
