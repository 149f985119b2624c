// The mount's cache of blocks (file chunks and chunk-list blocks), decompressed and checked,
// bounded by bytes (--cache-size) and evicted least recently used first. Reads of a block that
// is being fetched share the one fetch. A fetch that fails is not cached: the next read of that
// block tries again (and fails again if the block is damaged).
//
// The store reads back-to-back blocks with one read and hands out views into that read's
// buffer, so the cache counts memory by buffer: a buffer's whole size from the first cached
// view into it until the last one is evicted. A sequential reader's views are evicted together.
import type { Address } from '../core/address.js';
import type { BlockReader, BlockSource } from '../core/blocks.js';

interface Entry { value: Promise<Buffer>; data?: Buffer }

export class BlockCache implements BlockReader {
  // Map iteration follows insertion order: a hit moves its entry to the end, so the first
  // entries are the least recently used.
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  /** How many cached blocks are views into each buffer. */
  private readonly views = new Map<ArrayBufferLike, number>();

  constructor(private readonly store: BlockSource, readonly maxBytes: number) {}

  get(addr: Address): Promise<Buffer> {
    return this.getMany([addr])[0];
  }

  /** The block at `addr` if it is cached and already fetched, without waiting. */
  peek(addr: Address): Buffer | undefined {
    const key = addr.toString('latin1');
    const hit = this.entries.get(key);
    if (!hit?.data) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.data;
  }

  /** The blocks at `addrs` (in order, e.g. a file's next chunks), fetching the missing ones together. */
  getMany(addrs: Address[]): Promise<Buffer>[] {
    const out: Promise<Buffer>[] = new Array(addrs.length);
    const missing: Address[] = [];
    const slots: Array<{ key: string; entry: Entry; resolve: (p: Promise<Buffer>) => void }> = [];
    addrs.forEach((addr, i) => {
      const key = addr.toString('latin1');
      const hit = this.entries.get(key);
      if (hit) {
        this.entries.delete(key);
        this.entries.set(key, hit);
        out[i] = hit.value;
        return;
      }
      let resolve!: (p: Promise<Buffer>) => void;
      const entry: Entry = { value: new Promise<Buffer>((r) => { resolve = r; }) };
      this.entries.set(key, entry);
      missing.push(addr);
      slots.push({ key, entry, resolve });
      out[i] = entry.value;
    });
    if (missing.length) this.store.getMany(missing).forEach((fetch, k) => slots[k].resolve(this.settle(slots[k].key, slots[k].entry, fetch)));
    return out;
  }

  /** Starts fetching blocks that will probably be read soon; failures wait for the real read. */
  prefetch(addrs: Address[]): void {
    for (const p of this.getMany(addrs)) p.catch(() => undefined);
  }

  private async settle(key: string, entry: Entry, fetch: Promise<Buffer>): Promise<Buffer> {
    let data: Buffer;
    try {
      data = await fetch;
    } catch (err) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw err;
    }
    if (this.entries.get(key) === entry) {
      entry.data = data;
      const views = this.views.get(data.buffer) ?? 0;
      if (!views) this.bytes += data.buffer.byteLength;
      this.views.set(data.buffer, views + 1);
      this.evict();
    }
    return data;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      if (!entry.data) continue; // still being fetched
      this.entries.delete(key);
      const views = this.views.get(entry.data.buffer) ?? 1;
      if (views > 1) this.views.set(entry.data.buffer, views - 1);
      else {
        this.views.delete(entry.data.buffer);
        this.bytes -= entry.data.buffer.byteLength;
      }
    }
  }
}
