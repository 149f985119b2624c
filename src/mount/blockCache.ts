// The mount's cache of blocks (file chunks and chunk-list blocks), decompressed and checked,
// bounded by bytes (--cache-size) and evicted least recently used first. Reads of a block that
// is being fetched share the one fetch. A fetch that fails is not cached: the next read of that
// block tries again (and fails again if the block is damaged).
//
// The cache owns the memory its blocks live in: the store decompresses each block into a slot
// (a buffer of the block's size rounded up to a quarter of its power of two), and an evicted
// block's slot holds the next block of that size, so a long `cat` through the mount allocates
// nothing once the cache is full (fresh buffers for every block left malloc's heap holding
// ~60 MiB of dropped chunks until V8's next full GC). A slot is reused only when no one can
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

/** Free slots kept at most, as a share of the cache's size (slots of sizes no longer read are dropped). */
const FREE_SHARE = 4;

/** The size of the slot for a block of `length` bytes: at most a quarter more than it. */
function slotSize(length: number): number {
  const step = Math.max(1024, 2 ** Math.floor(Math.log2(Math.max(length, 1))) / 4);
  return Math.ceil(length / step) * step;
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
    const slot = this.free.get(size)?.pop();
    if (!slot) return Buffer.allocUnsafeSlow(size);
    this.freeBytes -= size;
    return slot;
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
    if (this.entries.get(key) !== entry) this.drop(entry); // evicted while it was being fetched
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
    if (entry.shared || !(buffer instanceof ArrayBuffer) || this.freeBytes + buffer.byteLength > this.maxBytes / FREE_SHARE) return;
    const size = buffer.byteLength;
    const list = this.free.get(size);
    if (list) list.push(Buffer.from(buffer));
    else this.free.set(size, [Buffer.from(buffer)]);
    this.freeBytes += size;
  }
}
