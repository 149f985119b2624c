// The block store joins packs, the index, hashing and compression: add() a block and get its
// address; get() an address and have its bytes back, checked against the address.
//
// New blocks are gathered into batches laid out as pack records (recordBatch.ts) and compressed
// in place on worker threads (compressPool.ts), or on this thread when it would otherwise wait
// for them. Write order (docs/ARCHITECTURE.md, principle 6): a compressed batch is appended to the open
// pack; when the pack is full (or on flush) it is sealed (fsync, rename), and only then does the
// index name its blocks. flush() returns once every block added so far is durable and indexed;
// callers write a snapshot only after that. Blocks waiting in an unsealed pack are remembered in
// `pending` so one run never stores a block twice. In an encrypted repository (`sealing`) the
// workers seal each block after compressing it (batchWork.ts), and a read opens it before
// decompressing, then checks the keyed address as ever. Records are laid out as the packs' format
// says (PackSpace.format: the clear layout, or format 4's sealed one, pack/sealedFormat.ts).
//
// Packs live where the PackSpace says (packSpace.ts): files in the repository folder, or objects
// in a bucket. For a bucket, a sealed pack is uploaded whole, and its blocks are indexed only
// once an index object names them (`announce`, indexObjects.ts): in batches of ANNOUNCE_PACKS
// while writing, and the rest by flush(). So the local index never names a block that other
// hosts could not find through the bucket's index objects.
import type { Address, HashFunction } from '../core/address.js';
import { addressToHex } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import type { RepoLayout } from '../core/layout.js';
import { BlockIndex, type BlockLocation } from './index/blockIndex.js';
import { PackWriter } from './pack/packWriter.js';
import { HEADER_BYTES, recordBytes, type PackEntry, type PackFormat } from './pack/format.js';
import { decompressBlock } from './compress.js';
import { BlockType } from '../core/blocks.js';
import type { CompressionConfig } from './compress.js';
import { BatchBuffers, RecordBatch, type BlockSealer } from './recordBatch.js';
import { CompressPool } from './compressPool.js';
import { batchSlack, type BatchSettings } from './batchWork.js';
import { LocalPacks, unreachable, type PackSpace } from './packSpace.js';
import type { IndexSealing, PackEntries } from './indexObjects.js';
import type { MetaCache } from './metaCache.js';

/** getMany() reads back-to-back blocks with one read of at most this many bytes. */
const READ_RUN_BYTES = 2 << 20;

/** Read buffers getMany() keeps for its next runs when its caller takes each block into its own memory. */
const RUN_BUFFERS_KEPT = 8;

const MAX_UNWRITTEN = 2 << 20;

/** Packs sealed (uploaded) before an index object names them: bounds `pending` and a kill's loss. */
const ANNOUNCE_PACKS = 16;

/** An encrypted repository's sealing of blocks (made by src/repo/repoKeys.ts, so a plain repository never loads src/crypto). */
export interface BlockSealing {
  /** the keys the compression workers seal with: the write-only view, as encodeKeyMaterial gives it */
  workerKeys: Uint8Array;
  /** a new Sealer's sealBlock: its own writer session, for one thread */
  newSealer(): BlockSealer;
  /**
   * the plaintext of a block's sealed bytes: BLOCK_DAMAGED when they do not open as this address
   * and type, KEY for a write-only key. With `header`, `stored` is the envelope's body alone.
   */
  open(address: Address, type: BlockType, stored: Buffer, header?: Buffer): Buffer;
  /** format 4: packs are laid out sealed (pack/sealedFormat.ts); absent for format 3's clear layout */
  packFormat?: PackFormat;
  /** format 4: how index objects are sealed (indexObjects.ts), for a repository in a bucket */
  indexSealing?: IndexSealing;
}

export interface BlockStoreOptions {
  layout: RepoLayout;
  index: BlockIndex;
  hash: HashFunction;
  compression: CompressionConfig;
  /** a pack is sealed once it reaches this many bytes */
  packTarget?: number;
  /** add() callers wait in waitForRoom() while this many raw bytes are being compressed */
  maxInFlight?: number;
  /** count and compress new blocks but write nothing (ingest --dry-run) */
  dryRun?: boolean;
  /** the id of the repository lock this process holds; unsealed packs are named after it */
  owner?: string;
  /** where packs are kept; default: the repository folder of `layout` */
  packs?: PackSpace;
  /** for packs in a bucket: publishes sealed packs in an index object, before the index names them */
  announce?: (packs: PackEntries[]) => Promise<void>;
  /** for packs in a bucket: local copies of tree and list blocks (metaCache.ts) */
  metaCache?: MetaCache;
  /** an encrypted repository's: blocks are sealed on the way in and opened on the way out */
  sealing?: BlockSealing;
}

/** What this store has added since it was opened. */
export interface AddedTotals { blocks: number; rawBytes: number; storedBytes: number }

export class BlockStore {
  readonly hash: HashFunction;
  readonly index: BlockIndex;
  /** the id of the repository lock this process holds (BlockStoreOptions.owner) */
  readonly owner?: string;
  readonly added: AddedTotals = { blocks: 0, rawBytes: 0, storedBytes: 0 };
  private readonly pending = new Set<string>();
  readonly packs: PackSpace;
  /** sealed packs no index object names yet (`announce`) */
  private unannounced: PackEntries[] = [];
  private announcing: Promise<void> = Promise.resolve();
  private writer: Promise<PackWriter> | null = null;
  /** started on the first new block, so readers never start worker threads */
  private compressPool: CompressPool | null = null;
  /** seals under way; each removes itself when done, so finished packs are not kept in memory */
  private readonly sealing = new Set<Promise<void>>();
  /** new blocks not yet sent off to be compressed (recordBatch.ts) */
  private filling: RecordBatch | null = null;
  private readonly buffers = new BatchBuffers();
  /** free buffers of READ_RUN_BYTES for getMany()'s runs, whose blocks all end up elsewhere */
  private readonly runBuffers: Buffer[] = [];
  private inFlightBytes = 0;
  private inFlight = new Set<Promise<void>>();
  private failure: unknown = null;
  private roomWaiters: Array<() => void> = [];
  private readonly packTarget: number;
  private readonly maxInFlight: number;
  private readonly batch: BatchSettings;
  private readonly format: PackFormat;
  /**
   * An encrypted repository's: the plaintext of a block's sealed bytes; BLOCK_DAMAGED when they
   * do not open as this address and type, KEY for a write-only key. Undefined in a plain one.
   */
  readonly openSealed?: (address: Address, type: BlockType, stored: Buffer, header?: Buffer) => Buffer;
  /** An encrypted repository's: a block's sealed bytes sealed again under the newest key generation (gc --rewrite-all); as long as before. */
  readonly reseal?: (address: Address, type: BlockType, stored: Buffer) => Buffer;

  constructor(private readonly opts: BlockStoreOptions) {
    this.hash = opts.hash;
    this.index = opts.index;
    this.owner = opts.owner;
    const { sealing } = opts;
    this.packs = opts.packs ?? new LocalPacks(opts.layout, sealing?.packFormat);
    this.format = this.packs.format;
    this.packTarget = opts.packTarget ?? 16 << 20;
    this.maxInFlight = opts.maxInFlight ?? 4 << 20;
    this.batch = { level: opts.compression.algorithm === 'none' ? 0 : opts.compression.level, keys: sealing?.workerKeys, ...(this.format.detached ? { sealedPacks: true } : {}) };
    if (sealing) {
      let sealer: BlockSealer | null = null;
      this.openSealed = sealing.open;
      this.reseal = (address, type, stored) => (sealer ??= sealing.newSealer())(address, type, sealing.open(address, type, stored));
    }
  }

  /** Reads packs through the thread pool from now on (the mount: see packFiles.ts). */
  readAsynchronously(): void {
    this.packs.readAsynchronously();
  }

  has(addr: Address): boolean {
    return this.pending.has(addressToHex(addr)) || this.index.has(addr);
  }

  /**
   * Stores `raw` unless a block with its address exists. Returns at once; compression and the
   * pack write go on in the background. Call waitForRoom() between adds to bound memory, and
   * flush() before anything refers to the address durably.
   */
  add(type: BlockType, raw: Buffer): { address: Address; added: boolean } {
    this.throwIfFailed();
    const address = this.hash(raw);
    const key = addressToHex(address);
    if (this.pending.has(key) || this.index.has(address)) return { address, added: false };
    this.pending.add(key);
    this.inFlightBytes += raw.length;
    if (this.filling && !this.filling.fits(raw.length)) this.dispatch();
    const slack = batchSlack(this.batch, this.format);
    this.filling ??= new RecordBatch(this.buffers.take(HEADER_BYTES + raw.length + slack), slack);
    this.filling.push(type, address, raw);
    if (type !== BlockType.Data) this.opts.metaCache?.put(address, raw);
    return { address, added: true };
  }

  /** Resolves when fewer than maxInFlight bytes are waiting for compression. */
  async waitForRoom(): Promise<void> {
    while (this.inFlightBytes >= this.maxInFlight && !this.failure) {
      // Send the batch being filled only when nothing else is out: a finishing batch wakes us
      // anyway, and sending a half-empty one each time would mean many small messages.
      if (!this.inFlight.size) this.dispatch();
      // Rather than sleep while the workers are behind, compress a waiting batch here.
      this.compressPool?.compressOneHere();
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    this.throwIfFailed();
  }

  /** Makes every block added so far durable and indexed, on disk. */
  async flush(): Promise<void> {
    this.dispatch();
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
    this.throwIfFailed();
    if (this.writer) {
      const w = this.writer;
      this.writer = null;
      this.startSeal(await w);
    }
    while (this.sealing.size) await Promise.all([...this.sealing]);
    this.throwIfFailed();
    await this.announce();
    // Index commits return before they are on disk (lmdb's overlappingSync); a snapshot may
    // refer to the blocks only once they are.
    await this.index.flush();
  }

  /** The block at `addr`, decompressed and checked against its address. */
  async get(addr: Address): Promise<Buffer> {
    const loc = this.index.get(addr);
    if (!loc) throw new DedupfsError('BLOCK_DAMAGED', `block ${addressToHex(addr)} is missing from the index`, { data: { address: addressToHex(addr) } });
    const cache = loc.type === BlockType.Data ? undefined : this.opts.metaCache;
    const copy = cache?.get(addr);
    if (copy) return copy;
    const raw = (await this.checkRecord(addr, loc, this.packs.read(loc.packId, loc.offset, recordBytes(this.format, loc.storedLength)), false)).raw;
    cache?.put(addr, raw);
    return raw;
  }

  /** Reads and checks a block at a known location, its record header too (used by check and gc). */
  async read(addr: Address, loc: BlockLocation): Promise<Buffer> {
    return (await this.readRecord(addr, loc)).raw;
  }

  /**
   * Like read(), and also returns the bytes as stored (compressed, and sealed as a whole
   * envelope), checked, so gc can copy a block into a new pack without compressing it again.
   */
  async readRecord(addr: Address, loc: BlockLocation): Promise<{ raw: Buffer; stored: Buffer }> {
    return this.checkRecord(addr, loc, this.packs.read(loc.packId, loc.offset, recordBytes(this.format, loc.storedLength)), true);
  }

  /**
   * The blocks at `addrs`, each checked like get(): one promise per address, in order, and a
   * damaged block fails only its own. Blocks that lie back to back in one pack (as the chunks of
   * a file usually do) are read together, up to READ_RUN_BYTES a read, so a sequential reader
   * (the mount) pays one system call per run instead of one per block. A returned buffer may be
   * a view into that run's read buffer: copy it to keep it long without the rest. With `into`,
   * each block lands in the buffer `into` gives for it, taken only once its record is read, and
   * the run's read buffer serves a later run once its blocks are checked: reading allocates nothing.
   */
  getMany(addrs: Address[], into?: (rawLength: number) => Buffer): Promise<Buffer>[] {
    const out: Promise<Buffer>[] = [];
    let run: Array<{ addr: Address; loc: BlockLocation }> = [];
    let runEnd = 0;
    const flush = () => {
      if (!run.length) return;
      const first = run[0].loc;
      const length = runEnd - first.offset;
      const buffer = into && length <= READ_RUN_BYTES ? this.runBuffers.pop() ?? Buffer.allocUnsafeSlow(READ_RUN_BYTES) : undefined;
      const span = this.packs.read(first.packId, first.offset, length, buffer);
      const checks = run.map(({ addr, loc }) => {
        const start = loc.offset - first.offset;
        const rec = span.then((b) => b.subarray(start, start + recordBytes(this.format, loc.storedLength)));
        return this.checkRecord(addr, loc, rec, false, into).then((r) => r.raw);
      });
      out.push(...checks);
      if (buffer) void Promise.allSettled(checks).then(() => { if (this.runBuffers.length < RUN_BUFFERS_KEPT) this.runBuffers.push(buffer); });
      run = [];
    };
    for (const addr of addrs) {
      const loc = this.index.get(addr);
      if (!loc) {
        flush();
        out.push(this.get(addr)); // fails, naming the missing block
        continue;
      }
      const end = loc.offset + recordBytes(this.format, loc.storedLength);
      if (run.length && (loc.packId !== run[0].loc.packId || loc.offset !== runEnd || end - run[0].loc.offset > READ_RUN_BYTES)) flush();
      run.push({ addr, loc });
      runEnd = end;
    }
    flush();
    return out;
  }

  /**
   * Checks a record read at `loc`: its header names the block (with `whole`, for check and gc: a
   * sealed box is opened only then, reads for restore rely on the envelope, which binds the
   * address and type), its stored bytes open, decompress and hash to the address.
   */
  private async checkRecord(addr: Address, loc: BlockLocation, read: Promise<Buffer>, whole: boolean, into?: (rawLength: number) => Buffer): Promise<{ raw: Buffer; stored: Buffer }> {
    const hex = addressToHex(addr);
    const damaged = (why: string, cause?: unknown) =>
      new DedupfsError('BLOCK_DAMAGED', `block ${hex} in pack ${loc.packId} ${why}`, { data: { address: hex, pack: loc.packId }, cause });
    let rec: Buffer;
    try {
      rec = await read;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (unreachable(err)) throw err;
      throw damaged(code === 'ENOENT' || code === 'NOT_FOUND' ? 'is missing (pack file not found)' : `cannot be read: ${(err as Error).message}`, err);
    }
    const { headerBytes, detached } = this.format;
    const length = recordBytes(this.format, loc.storedLength);
    if (rec.length < length || (whole || !detached) && !headerMatches(this.format.decodeHeader(rec, 0), addr, loc)) throw damaged('is damaged (record header does not match)');
    const stored = rec.subarray(headerBytes, length);
    let raw: Buffer;
    try {
      raw = decompressBlock(this.openSealed ? this.openSealed(addr, loc.type, stored, loc.seal) : stored, loc.compression, loc.rawLength, into?.(loc.rawLength));
    } catch (err) {
      if (err instanceof DedupfsError) throw err.code === 'BLOCK_DAMAGED' ? damaged('is damaged (its sealed bytes do not authenticate)', err) : err;
      throw damaged('is damaged (does not decompress)', err);
    }
    if (raw.length !== loc.rawLength || !this.hash(raw).equals(addr)) throw damaged('is damaged (content does not match its hash)');
    // A whole envelope (header joined to the body) only for gc and salvage, which copy it: a copy restore need not pay.
    return { raw, stored: whole && detached && loc.seal ? Buffer.concat([loc.seal, stored]) : stored };
  }

  async close(): Promise<void> {
    if (this.writer) await (await this.writer).abort();
    this.writer = null;
    await this.compressPool?.close();
    this.compressPool = null;
    await this.packs.close();
    await this.opts.metaCache?.close();
  }

  /** Sends the batch being filled off to be compressed and written. */
  private dispatch(): void {
    const batch = this.filling;
    if (!batch) return;
    this.filling = null;
    const job: Promise<void> = this.storeBatch(batch)
      .catch((err) => { this.failure ??= err; })
      .finally(() => {
        this.inFlightBytes -= batch.rawBytes;
        this.inFlight.delete(job);
        this.wakeWaiters();
      });
    this.inFlight.add(job);
  }

  private async storeBatch(batch: RecordBatch): Promise<void> {
    let records = batch.buffer, layout = batch.rawLayout();
    if (this.batch.level > 0 || this.batch.keys) {
      this.compressPool ??= new CompressPool(this.batch, undefined, this.opts.sealing?.newSealer, this.format);
      const done = await this.compressPool.compress(batch.buffer.buffer as ArrayBuffer, batch.blocks.length);
      records = Buffer.from(done.buffer);
      layout = done.layout;
    }
    const entries: PackEntry[] = [];
    const { detached } = this.format;
    const seals = layout.seals && Buffer.from(layout.seals.buffer, layout.seals.byteOffset, layout.seals.byteLength);
    for (let i = 0, offset = 0; i < batch.blocks.length; i++) {
      const { address, type, rawLength } = batch.blocks[i];
      const storedLength = layout.storedLengths[i];
      const seal = seals?.subarray(i * detached, (i + 1) * detached);
      entries.push({ address, type, rawLength, storedLength, compression: layout.compressions[i], offset, ...(seal ? { seal } : {}) });
      this.countAdded(rawLength, storedLength);
      offset += recordBytes(this.format, storedLength);
    }
    if (this.opts.dryRun) {
      this.buffers.give(records);
      return;
    }
    // The pack may be sealed and replaced while we wait for it: append only to the current one.
    let writer: PackWriter;
    let current: Promise<PackWriter>;
    for (;;) {
      current = (this.writer ??= PackWriter.create(this.opts.layout, this.owner, this.format));
      writer = await current;
      if (this.writer === current) break;
    }
    // From here to the seal decision nothing awaits, so exactly one job seals a full pack.
    writer.appendRecords(records.subarray(0, layout.length), entries, () => this.buffers.give(records));
    if (writer.length >= this.packTarget) {
      this.writer = null;
      this.startSeal(writer);
    } else if (writer.unwrittenBytes > MAX_UNWRITTEN) {
      // Backpressure from the disk: this job (and so waitForRoom) waits while writes lag behind.
      await writer.drain();
    }
  }

  private countAdded(rawLength: number, storedLength: number): void {
    this.added.blocks++;
    this.added.rawBytes += rawLength;
    this.added.storedBytes += recordBytes(this.format, storedLength);
  }

  private startSeal(writer: PackWriter): void {
    const job: Promise<void> = this.seal(writer)
      .catch((err) => { this.failure ??= err; })
      .finally(() => this.sealing.delete(job));
    this.sealing.add(job);
  }

  private async seal(writer: PackWriter): Promise<void> {
    try {
      await this.packs.seal(writer, { keepTmp: true });
    } catch (err) {
      // A pack that could not be completed (a full disk) is removed: nothing refers to it.
      await writer.abort();
      throw err;
    }
    if (this.opts.announce) {
      this.unannounced.push({ packId: writer.packId, entries: writer.entries });
      if (this.unannounced.length >= ANNOUNCE_PACKS) await this.announce();
      return;
    }
    await this.index.addPack(writer.packId, writer.entries);
    // Only now may the packs/tmp name go: until the index names the blocks, a kill must leave
    // the sealed pack where the next ingest looks (recoverUnsealedPacks.ts).
    await writer.dropTmp();
    for (const e of writer.entries) this.pending.delete(addressToHex(e.address));
  }

  // Publishes the packs sealed so far in one index object, then indexes their blocks; one at a time.
  private announce(): Promise<void> {
    const announce = this.opts.announce;
    if (!announce) return Promise.resolve();
    this.announcing = this.announcing.then(async () => {
      const packs = this.unannounced;
      this.unannounced = [];
      if (!packs.length) return;
      await announce(packs);
      for (const p of packs) {
        await this.index.addPack(p.packId, p.entries.filter((e) => !this.index.has(e.address)));
        for (const e of p.entries) this.pending.delete(addressToHex(e.address));
      }
    });
    return this.announcing;
  }

  private wakeWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  private throwIfFailed(): void {
    if (!this.failure) return;
    const err = this.failure as NodeJS.ErrnoException;
    if (err instanceof DedupfsError) throw err;
    if (err.code === 'ENOSPC') throw new DedupfsError('REPO_WRITE', `no space left on device while writing to ${this.opts.layout.root}`, { hint: 'free some space and run again; the repository was left as it was', cause: err });
    throw new DedupfsError('REPO_WRITE', `cannot write to repository ${this.opts.layout.root}: ${err.message}`, { cause: err });
  }
}

/** true when a record's header names the block the index says lies there (all of it, for a sealed box). */
function headerMatches(header: PackEntry | null, addr: Address, loc: BlockLocation): boolean {
  if (!header || !header.address.equals(addr)) return false;
  if (!header.seal) return true;
  return header.type === loc.type && header.compression === loc.compression && header.rawLength === loc.rawLength
    && header.storedLength === loc.storedLength && !!loc.seal && header.seal.equals(loc.seal);
}
