// Appends blocks to one new pack. The pack is written under packs/tmp/ and only renamed into
// packs/XX/ by seal(), after its bytes and trailer are fsynced; the index may name its blocks
// only after seal() returns. A crash therefore leaves at most a .tmp file that nothing refers to.
// The .tmp file's name carries the id of the writer's repository lock (<pack id>-<lock id>.tmp),
// so that a later ingest can tell a pack being written by a live process from one left by a
// dead one, and salvage only the latter (recoverUnsealedPacks.ts). A writer that indexes its pack
// itself (the block store) seals with keepTmp: the sealed pack keeps its packs/tmp name as a
// second link until dropTmp() after the index names its blocks, so a kill between the seal and
// the index commit leaves a sealed pack the next ingest finds there and indexes. The layout of
// headers and trailer is the PackFormat's (format.ts); a sealed one (format 4) also has the
// blocks of each batch written in random order.
import { link, open, mkdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { randomBytes, randomInt } from 'node:crypto';
import { dirname, join } from 'node:path';
import { DIR_MODE, FILE_MODE, packPath, type RepoLayout } from '../../core/layout.js';
import { fsyncDir } from '../../core/fsyncDir.js';
import { CLEAR_PACKS, recordBytes, type PackEntry, type PackFormat } from './format.js';

const WRITE_BATCH = 1 << 20;

export class PackWriter {
  readonly packId: string;
  readonly entries: PackEntry[] = [];
  private size: number;
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  /** called once the queued bytes are handed to the OS (recordBatch.ts reuses its buffers) */
  private queuedDone: Array<() => void> = [];
  private writing: Promise<void> = Promise.resolve();
  private handedOver = 0;

  private constructor(private readonly layout: RepoLayout, private readonly fh: FileHandle, readonly tmpPath: string, packId: string, readonly format: PackFormat) {
    this.packId = packId;
    this.queued.push(format.magic);
    this.queuedBytes = this.size = format.magic.length;
  }

  /** `owner`: the id of the repository lock the writing process holds. */
  static async create(layout: RepoLayout, owner?: string, format: PackFormat = CLEAR_PACKS): Promise<PackWriter> {
    const packId = randomBytes(16).toString('hex');
    await mkdir(layout.packsTmp, { recursive: true, mode: DIR_MODE });
    const tmpPath = join(layout.packsTmp, unsealedName(packId, owner));
    const fh = await open(tmpPath, 'wx', FILE_MODE);
    return new PackWriter(layout, fh, tmpPath, packId, format);
  }

  /** Bytes the pack will hold once everything appended so far is written. */
  get length(): number {
    return this.size;
  }

  /** Bytes appended but not yet handed to the OS. */
  get unwrittenBytes(): number {
    return this.size - this.handedOver;
  }

  /** Queues one block (`stored`: its stored bytes, sealed as a whole envelope in an encrypted repository); returns its entry. */
  append(block: Omit<PackEntry, 'offset' | 'seal'>, stored: Buffer): PackEntry {
    const { detached, headerBytes } = this.format;
    const entry: PackEntry = { ...block, offset: this.size, ...(detached ? { seal: Buffer.from(stored.subarray(0, detached)) } : {}) };
    const header = Buffer.allocUnsafe(headerBytes);
    this.format.writeHeader(header, 0, entry);
    this.entries.push(entry);
    this.queue(header, stored.subarray(detached));
    if (this.queuedBytes >= WRITE_BATCH) this.flushQueue();
    return entry;
  }

  /**
   * Queues finished records (header and stored bytes each, as recordBatch.ts lays them out);
   * `blocks` gives their offsets within `records`. `written` is called once the bytes are handed
   * to the OS, after which the caller may reuse `records`' memory.
   */
  appendRecords(records: Buffer, blocks: PackEntry[], written: () => void): void {
    const order = blocks.map((_, i) => i);
    if (this.format.shuffle) shuffle(order);
    for (const i of order) {
      const b = blocks[i];
      this.entries.push({ ...b, offset: this.size });
      this.queue(records.subarray(b.offset, b.offset + recordBytes(this.format, b.storedLength)));
    }
    this.queuedDone.push(written);
    if (this.queuedBytes >= WRITE_BATCH) this.flushQueue();
  }

  private queue(...bufs: Buffer[]): void {
    for (const b of bufs) {
      this.queued.push(b);
      this.queuedBytes += b.length;
      this.size += b.length;
    }
  }

  /** Resolves when the bytes queued so far are handed to the OS; rejects with any write error. */
  async drain(): Promise<void> {
    this.flushQueue();
    await this.writing;
  }

  /**
   * Writes the trailer, fsyncs, and moves the pack to its final name; with `keepTmp` the pack
   * keeps its packs/tmp name as well, until dropTmp().
   */
  async seal(opts: { keepTmp?: boolean } = {}): Promise<void> {
    await this.complete();
    const finalPath = packPath(this.layout, this.packId);
    await mkdir(dirname(finalPath), { recursive: true, mode: DIR_MODE });
    if (opts.keepTmp) await linkOrRename(this.tmpPath, finalPath);
    else await rename(this.tmpPath, finalPath);
    await fsyncDir(dirname(finalPath));
  }

  /**
   * Writes the trailer and fsyncs, leaving the whole pack at its packs/tmp name (tmpPath): for a
   * pack that is then uploaded rather than renamed (packSpace.ts).
   */
  async complete(): Promise<void> {
    this.queued.push(this.format.encodeTrailer(this.packId, this.entries));
    await this.drain();
    await this.fh.sync();
    await this.fh.close();
  }

  /** Removes the packs/tmp name a seal with keepTmp left, once the index names the pack's blocks. */
  async dropTmp(): Promise<void> {
    await rm(this.tmpPath, { force: true });
  }

  /** Gives up on the pack: nothing refers to it, so it is simply removed. */
  async abort(): Promise<void> {
    await this.writing.catch(() => undefined);
    await this.fh.close().catch(() => undefined);
    await rm(this.tmpPath, { force: true });
  }

  private flushQueue(): void {
    if (this.queued.length === 0) return;
    const bufs = this.queued;
    const bytes = this.queuedBytes;
    const done = this.queuedDone;
    this.queued = [];
    this.queuedBytes = 0;
    this.queuedDone = [];
    this.writing = this.writing.then(async () => {
      await this.fh.writev(bufs);
      this.handedOver += bytes;
      for (const d of done) d();
    });
    // A failed write (a full disk) is reported by the next drain() or seal(); until one of them
    // awaits it, it must not count as an unhandled rejection, which would end the process.
    this.writing.catch(() => undefined);
  }
}

/** Puts `items` in a random order (Fisher-Yates). */
function shuffle(items: number[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
}

/**
 * A second name for the pack; where the file system has no hard links (vfat, some network file
 * systems) the pack is renamed instead, and a kill before the index commit leaves it unindexed
 * until `repair`, as it did before packs kept their tmp name.
 */
async function linkOrRename(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (err) {
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    await rename(from, to);
  }
}

/** The name of an unsealed pack in packs/tmp: `<pack id>-<owner lock id>.tmp`, or `<pack id>.tmp` without an owner. */
export function unsealedName(packId: string, owner?: string): string {
  return owner ? `${packId}-${owner}.tmp` : `${packId}.tmp`;
}
