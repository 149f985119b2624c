// The block index: LMDB, address -> where the block lies (pack, offset, lengths, type). It lives
// on disk and is memory-mapped, so memory stays flat however many blocks the repository holds.
// It only ever names blocks of sealed packs (the pack writer's contract), and it can always be
// rebuilt from the packs (src/store/rebuildIndex.ts). Several processes may hold it open.
// A damaged file is refused before lmdb maps it (checkIndexFile.ts), and damage lmdb finds
// later (MDB_PAGE_NOTFOUND, MDB_CORRUPTED) is a REPO_DAMAGED error that points to repair.
import type { RootDatabase } from 'lmdb';
import { lazyRequire } from '../../core/lazyRequire.js';
import type { Address } from '../../core/address.js';
import { DedupfsError } from '../../core/errors.js';
import { checkIndexFile } from './checkIndexFile.js';
import { diskNearlyFull, repoWriteError, unwritableReason } from '../../core/repoWriteError.js';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Compression, PackEntry } from '../pack/format.js';
import type { BlockType } from '../../core/blocks.js';

const lmdb = lazyRequire<typeof import('lmdb')>('lmdb');

export interface BlockLocation {
  packId: string;
  offset: number;          // of the record header within the pack
  type: BlockType;
  compression: Compression;
  rawLength: number;
  storedLength: number;
  /** format 4: the block's envelope header (PackEntry.seal) */
  seal?: Buffer;
}

/** A value is VALUE_BYTES, then in format 4 the block's envelope header. */
const VALUE_BYTES = 30;

function encodeLocation(packId: string, e: PackEntry): Buffer {
  const b = Buffer.alloc(VALUE_BYTES + (e.seal?.length ?? 0));
  e.seal?.copy(b, VALUE_BYTES);
  b.write(packId, 0, 16, 'hex');
  b.writeUInt32LE(e.offset, 16);
  b.writeUInt32LE(e.rawLength, 20);
  b.writeUInt32LE(e.storedLength, 24);
  b[28] = e.type;
  b[29] = e.compression;
  return b;
}

function decodeLocation(b: Buffer): BlockLocation {
  return {
    packId: b.toString('hex', 0, 16),
    offset: b.readUInt32LE(16),
    rawLength: b.readUInt32LE(20),
    storedLength: b.readUInt32LE(24),
    type: b[28],
    compression: b[29],
    ...(b.length > VALUE_BYTES ? { seal: Buffer.from(b.subarray(VALUE_BYTES)) } : {}),
  };
}

const LMDB_DAMAGE = /MDB_PAGE_NOTFOUND|MDB_CORRUPTED|MDB_INVALID|MDB_BAD_TXN|MDB_VERSION_MISMATCH/;

/** The error for an index that cannot be trusted; repair rebuilds it from the packs and keeps every snapshot. */
export function indexDamaged(path: string, reason: string, cause?: unknown): DedupfsError {
  return new DedupfsError('REPO_DAMAGED', `the block index ${path} is damaged: ${reason}`,
    { hint: "run 'dedupfs repair' to rebuild it from the packs (every snapshot is kept)", cause, data: { path } });
}

export interface IndexOpenOptions {
  /** open for reading only: nothing is created or written (a read-only or full disk) */
  readOnly?: boolean;
}

/**
 * The address space lmdb maps at open: 1 GiB (virtual, nothing is allocated or written), or twice
 * the file when it is larger. lmdb starts at 128 KiB and, as a writer grows the file, maps it
 * again from its start, larger, keeping the earlier maps: each page of the index is then counted
 * in the resident memory of every map that holds it. Measured on the first ingest of the peers
 * bench's corpus (a 6.4 MB index): 14.6 MiB resident from data.mdb in six maps at the peak,
 * against 5.5-6.4 MiB in one map. Past it lmdb still grows the map as before.
 */
const MAP_BYTES = 1 << 30;

export class BlockIndex {
  private constructor(private readonly db: RootDatabase<Buffer, Buffer>, private readonly path: string) {}

  /** @throws DedupfsError REPO_DAMAGED when the file is damaged (it is then never mapped). */
  static open(path: string, opts: IndexOpenOptions = {}): BlockIndex {
    const problem = checkIndexFile(path);
    if (problem) throw indexDamaged(path, problem);
    try {
      const mapSize = Math.max(MAP_BYTES, 2 * (statSync(join(path, 'data.mdb'), { throwIfNoEntry: false })?.size ?? 0));
      const db = lmdb().open<Buffer, Buffer>({ path, keyEncoding: 'binary', encoding: 'binary', compression: false, maxReaders: 256, readOnly: opts.readOnly, mapSize });
      return new BlockIndex(db, path);
    } catch (err) {
      if (LMDB_DAMAGE.test((err as Error).message)) throw indexDamaged(path, (err as Error).message, err);
      throw err;
    }
  }

  get(addr: Address): BlockLocation | undefined {
    const v = this.guard(() => this.db.get(addr));
    return v ? decodeLocation(v) : undefined;
  }

  has(addr: Address): boolean {
    return this.guard(() => this.db.doesExist(addr));
  }

  /** Names every block of a sealed pack, in one durable transaction. */
  async addPack(packId: string, entries: PackEntry[]): Promise<void> {
    await this.guardAsync(() => this.db.transaction(() => {
      for (const e of entries) this.db.putSync(e.address, encodeLocation(packId, e));
    }));
  }

  /** Removes the entries that still point into `packId` (after gc moved or dropped its blocks). */
  async removePack(packId: string, addresses: Address[]): Promise<void> {
    await this.guardAsync(() => this.db.transaction(() => {
      for (const a of addresses) {
        const v = this.db.get(a);
        if (v && decodeLocation(v).packId === packId) this.db.removeSync(a);
      }
    }));
  }

  /** Every (address, location) pair, in address order. */
  *entries(): Generator<[Address, BlockLocation]> {
    const range = this.guard(() => this.db.getRange()[Symbol.iterator]());
    for (;;) {
      const next = this.guard(() => range.next());
      if (next.done) return;
      yield [next.value.key, decodeLocation(next.value.value)];
    }
  }

  // Damage lmdb reports (rather than crashes on) becomes REPO_DAMAGED naming the index.
  private guard<T>(read: () => T): T {
    try {
      return read();
    } catch (err) {
      throw this.translate(err);
    }
  }

  private async guardAsync<T>(work: () => PromiseLike<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw this.translate(err);
    }
  }

  // A failed commit carries its cause in a promise (commitError) that must be handled here, or
  // Node ends the process over an unhandled rejection; whether the disk is full is asked of the
  // file system instead.
  private translate(err: unknown): unknown {
    const commitError = (err as { commitError?: Promise<unknown> })?.commitError;
    if (commitError) {
      commitError.catch(() => undefined);
      const root = dirname(this.path);
      return repoWriteError(root, unwritableReason(err, root) ?? (diskNearlyFull(root) ? 'ENOSPC' : 'EIO'), err);
    }
    return LMDB_DAMAGE.test((err as Error)?.message ?? '') ? indexDamaged(this.path, (err as Error).message, err) : err;
  }

  /**
   * Resolves once every committed write is on stable storage. Commits resolve before that
   * (lmdb's overlappingSync): gc waits here before it deletes a pack whose blocks it re-pointed.
   */
  async flush(): Promise<void> {
    await this.guardAsync(() => this.db.flushed);
  }

  async clear(): Promise<void> {
    await this.db.clearAsync();
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
