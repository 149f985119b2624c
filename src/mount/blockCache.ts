// The mount's cache of blocks (file chunks and chunk-list blocks), decompressed and checked,
// bounded by bytes (--cache-size) and evicted least recently used first. Reads of a block that
// is being fetched share the one fetch. A fetch that fails is not cached: the next read of that
// block tries again (and fails again if the block is damaged).
//
// The cache owns the memory its blocks live in: the store decompresses each block into a slot
// (a buffer of the block's size rounded up to a power of two), and an evicted block's slot
// holds a later block of that size (or up to LARGER_SLOTS times smaller), so a long `cat`
// through the mount allocates little once the cache is full (fresh buffers for every block left
// ~60 MiB of dropped chunks waiting for V8's next full GC). A slot is reused only when no one can
// still see it: readMany() pins its blocks while its callback copies them, peek() hands out a
// block to be copied before the caller yields, and a block get()/getMany() gave out is never
// reused (its caller may keep it), only dropped.
import type { Address } from '../core/address.js';
import type { BlockReader, BlockSource } from '../core/blocks.js';

interface Entry {
  value: Promise<Buffer>;
  data?: Buffer;
  /** readMany() calls copying this block now */
  pins: number;
  /** given out by get()/getMany(): its slot is never reused */
  shared: boolean;
  /** no longer in the cache: its slot is freed when the last pin goes */
  evicted: boolean;
}

/**
 * Free slots kept at most, as a share of the cache's size, of one size and in all: a read ahead
 * (a quarter of the cache, kernelOptions.ts) takes its slots before the blocks it evicts free theirs.
 */
const FREE_ONE_SIZE = 1 / 4, FREE_ALL = 1 / 2;
/** The smallest slot: smaller blocks share its size. */
const MIN_SLOT = 4 << 10;
/** A block takes a free slot up to this many times its size when none of its own size is free. */
const LARGER_SLOTS = 4;

/** The size of the slot for a block of `length` bytes: the power of two at or above it. */
function slotSize(length: number): number {
  return Math.max(MIN_SLOT, 2 ** Math.ceil(Math.log2(length)));
}

export class BlockCache implements BlockReader {
  // Map iteration follows insertion order: a hit moves its entry to the end, so the first
  // entries are the least recently used.
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  /** free slots by size */
  private readonly free = new Map<number, Buffer[]>();
  private freeBytes = 0;
  /** gives the store a slot for each block it reads */
  private readonly take = (length: number): Buffer => {
    const size = slotSize(length);
    for (let larger = size; larger <= size * LARGER_SLOTS; larger *= 2) {
      const slot = this.free.get(larger)?.pop();
      if (!slot) continue;
      this.freeBytes -= larger;
      return slot;
    }
    return Buffer.allocUnsafeSlow(size);
  };

  constructor(private readonly store: BlockSource, readonly maxBytes: number) {}

  get(addr: Address): Promise<Buffer> {
    return this.getMany([addr])[0];
  }

  /** The blocks at `addrs` (in order), fetching the missing ones together; the caller may keep them. */
  getMany(addrs: Address[]): Promise<Buffer>[] {
    return this.lookup(addrs).map((entry) => {
      entry.shared = true;
      return entry.value;
    });
  }

  /**
   * The block at `addr` if it is cached and already fetched, without waiting. Its memory is
   * reused after the caller yields: copy what it needs at once.
   */
  peek(addr: Address): Buffer | undefined {
    const key = addr.toString('latin1');
    const hit = this.entries.get(key);
    if (!hit?.data) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.data;
  }

  /**
   * Calls `use` with the blocks at `addrs` (e.g. a file's next chunks, fetching the missing ones
   * together) once they are all there, and returns what it returns. The blocks stay valid during
   * the call only: `use` copies what it needs.
   */
  async readMany<T>(addrs: Address[], use: (blocks: Buffer[]) => T): Promise<T> {
    const entries = this.lookup(addrs);
    for (const entry of entries) entry.pins++;
    try {
      return use(await Promise.all(entries.map((entry) => entry.value)));
    } finally {
      for (const entry of entries) if (--entry.pins === 0 && entry.evicted) this.release(entry);
    }
  }

  /** Starts fetching blocks that will probably be read soon; failures wait for the real read. */
  prefetch(addrs: Address[]): void {
    for (const entry of this.lookup(addrs)) entry.value.catch(() => undefined);
  }

  /** The entries of `addrs`, in order: hits become the most recently used, misses are fetched together. */
  private lookup(addrs: Address[]): Entry[] {
    const out: Entry[] = new Array(addrs.length);
    const missing: Address[] = [];
    const slots: Array<{ key: string; entry: Entry; resolve: (p: Promise<Buffer>) => void }> = [];
    addrs.forEach((addr, i) => {
      const key = addr.toString('latin1');
      const hit = this.entries.get(key);
      if (hit) {
        this.entries.delete(key);
        this.entries.set(key, hit);
        out[i] = hit;
        return;
      }
      let resolve!: (p: Promise<Buffer>) => void;
      const entry: Entry = { value: new Promise<Buffer>((r) => { resolve = r; }), pins: 0, shared: false, evicted: false };
      this.entries.set(key, entry);
      missing.push(addr);
      slots.push({ key, entry, resolve });
      out[i] = entry;
    });
    if (missing.length) this.store.getMany(missing, this.take).forEach((fetch, k) => slots[k].resolve(this.settle(slots[k].key, slots[k].entry, fetch)));
    return out;
  }

  private async settle(key: string, entry: Entry, fetch: Promise<Buffer>): Promise<Buffer> {
    let data: Buffer;
    try {
      data = await fetch;
    } catch (err) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw err;
    }
    entry.data = data;
    this.bytes += data.buffer.byteLength;
    this.evict();
    return data;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      if (!entry.data) continue; // still being fetched
      this.entries.delete(key);
      this.drop(entry);
    }
  }

  /** Takes a fetched entry out of the cache's count; its slot is freed now, or when its last pin goes. */
  private drop(entry: Entry): void {
    entry.evicted = true;
    this.bytes -= entry.data!.buffer.byteLength;
    if (entry.pins === 0) this.release(entry);
  }

  private release(entry: Entry): void {
    const buffer = entry.data!.buffer;
    entry.data = undefined;
    if (!entry.shared) this.recycle(buffer);
  }

  /** Keeps a slot no one sees any more for the next block of its size, unless enough are kept. */
  private recycle(buffer: ArrayBufferLike): void {
    const size = buffer.byteLength;
    let list = this.free.get(size);
    if (!list) this.free.set(size, list = []);
    if ((list.length + 1) * size > this.maxBytes * FREE_ONE_SIZE) return;
    // Over the limit, smaller free slots go first: they are the likeliest to wait for nothing.
    for (let smaller = MIN_SLOT; smaller < size && this.freeBytes + size > this.maxBytes * FREE_ALL; smaller *= 2) {
      const drop = this.free.get(smaller) ?? [];
      for (; drop.length && this.freeBytes + size > this.maxBytes * FREE_ALL; drop.pop()) this.freeBytes -= smaller;
    }
    if (this.freeBytes + size > this.maxBytes * FREE_ALL) return;
    list.push(Buffer.from(buffer));
    this.freeBytes += size;
  }
}
