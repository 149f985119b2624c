// Checks spans of records read from packs (BlockStore.getMany) on worker threads, so that a bulk
// reader (restore) opens, decompresses and hashes on more than one core: one worker per core
// besides the JavaScript thread's, at least one and at most 4, started on the first long span.
// A span's memory is transferred to the worker, never copied, with a buffer made here for the
// raw blocks, and both come back with the answer: the worker allocates nothing and keeps nothing
// (memory that died on a worker would wait there for that worker's next GC). A worker holds at most two spans (the one it checks and the next); a span that
// would wait longer is checked by the caller on its own thread (`busy`), so both cores work.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { HashName } from '../core/address.js';
import { DedupfsError, type ErrorCode } from '../core/errors.js';
import type { RecordDamage, RecordShape } from './openRecord.js';

export interface ReadSettings {
  /** the repository's hash (config.hash); unused with `keys` */
  hash: HashName;
  /** an encrypted repository: a full key's material (encodeKeyMaterial), to hash and open blocks with */
  keys?: Uint8Array;
}

/** One record of a span: its bytes are span[start, end). */
export interface SpanRecord { start: number; end: number; address: Uint8Array; shape: RecordShape }
/** `out`: room for the records' raw bytes, one after the other */
export interface ReadRequest { id: number; span: ArrayBuffer; out: ArrayBuffer; records: SpanRecord[] }
/** A record's raw bytes at out[at, at + length), or why it is damaged, or an error that is not damage (KEY). */
export type ReadResult = { at: number; length: number } | { why: string; cause?: string } | { error: { code?: ErrorCode; message: string; hint?: string } };
export interface ReadReply { id: number; span: ArrayBuffer; out: ArrayBuffer; results: ReadResult[] }

/** A record checked: its raw bytes, what is wrong with it, or an error to pass on as it is. */
export type RecordResult = { raw: Buffer } | RecordDamage | { error: unknown };

interface Slot { worker: Worker; busy: number }

const PER_WORKER = 2;

export class ReadPool {
  private readonly workers: Slot[];
  private readonly waiting = new Map<number, { slot: Slot; resolve(r: RecordResult[]): void; reject(err: Error): void }>();
  private nextId = 0;

  constructor(settings: ReadSettings, size = Math.max(1, Math.min(4, availableParallelism() - 1))) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL('./readWorker.js', import.meta.url), { workerData: settings });
      worker.on('message', (reply: ReadReply) => this.settle(reply));
      worker.on('error', (err) => this.failAll(err));
      worker.unref();
      return { worker, busy: 0 };
    });
  }

  /** Every worker already holds as many spans as it may: check the next one on this thread. */
  get busy(): boolean {
    return this.workers.every((w) => w.busy >= PER_WORKER);
  }

  /** Checks the records of `span` on a worker; `span` is detached (its memory moves to the worker). */
  check(span: Buffer, records: SpanRecord[]): Promise<RecordResult[]> {
    // A span that shares its memory (a small read from Node's pool) is copied; a pack read has its own.
    const whole = span.byteOffset === 0 && span.byteLength === span.buffer.byteLength;
    const buffer = (whole ? span.buffer : span.buffer.slice(span.byteOffset, span.byteOffset + span.byteLength)) as ArrayBuffer;
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    // Workers keep the process alive only while they owe an answer.
    if (this.waiting.size === 0) for (const w of this.workers) w.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { slot, resolve, reject });
      const out = Buffer.allocUnsafeSlow(records.reduce((n, r) => n + r.shape.rawLength, 0)).buffer as ArrayBuffer;
      const request: ReadRequest = { id, span: buffer, out, records };
      slot.worker.postMessage(request, [buffer, out]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.failAll(new Error('read pool closed'));
  }

  private settle({ id, out, results }: ReadReply): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    waiter.slot.busy--;
    if (this.waiting.size === 0) for (const w of this.workers) w.worker.unref();
    waiter.resolve(results.map((r): RecordResult => {
      if ('at' in r) return { raw: Buffer.from(out, r.at, r.length) };
      if ('why' in r) return { why: r.why, cause: r.cause === undefined ? undefined : new Error(r.cause) };
      return { error: r.error.code ? new DedupfsError(r.error.code, r.error.message, { hint: r.error.hint }) : new Error(r.error.message) };
    }));
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
