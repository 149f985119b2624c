// The block index: LMDB, address -> where the block lies (pack, offset, lengths, type). It lives
// on disk and is memory-mapped, so memory stays flat however many blocks the repository holds.
// It only ever names blocks of sealed packs (the pack writer's contract), and it can always be
// rebuilt from the packs (src/store/rebuildIndex.ts). Several processes may hold it open.
import type { RootDatabase } from 'lmdb';
import { lazyRequire } from '../../core/lazyRequire.js';
import type { Address } from '../../core/address.js';
import type { BlockType, Compression, PackEntry } from '../pack/format.js';

const lmdb = lazyRequire<typeof import('lmdb')>('lmdb');

export interface BlockLocation {
  packId: string;
  offset: number;          // of the record header within the pack
  type: BlockType;
  compression: Compression;
  rawLength: number;
  storedLength: number;
}

const VALUE_BYTES = 30;

function encodeLocation(packId: string, e: PackEntry): Buffer {
  const b = Buffer.alloc(VALUE_BYTES);
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
  };
}

export class BlockIndex {
  private constructor(private readonly db: RootDatabase<Buffer, Buffer>) {}

  static open(path: string): BlockIndex {
    const db = lmdb().open<Buffer, Buffer>({ path, keyEncoding: 'binary', encoding: 'binary', compression: false, maxReaders: 256 });
    return new BlockIndex(db);
  }

  get(addr: Address): BlockLocation | undefined {
    const v = this.db.get(addr);
    return v ? decodeLocation(v) : undefined;
  }

  has(addr: Address): boolean {
    return this.db.doesExist(addr);
  }

  /** Names every block of a sealed pack, in one durable transaction. */
  async addPack(packId: string, entries: PackEntry[]): Promise<void> {
    await this.db.transaction(() => {
      for (const e of entries) this.db.put(e.address, encodeLocation(packId, e));
    });
  }

  /** Removes the entries that still point into `packId` (after gc moved or dropped its blocks). */
  async removePack(packId: string, addresses: Address[]): Promise<void> {
    await this.db.transaction(() => {
      for (const a of addresses) {
        const v = this.db.get(a);
        if (v && decodeLocation(v).packId === packId) this.db.remove(a);
      }
    });
  }

  /** Every (address, location) pair, in address order. */
  *entries(): Generator<[Address, BlockLocation]> {
    for (const { key, value } of this.db.getRange()) yield [key, decodeLocation(value)];
  }

  /**
   * Resolves once every committed write is on stable storage. Commits resolve before that
   * (lmdb's overlappingSync): gc waits here before it deletes a pack whose blocks it re-pointed.
   */
  async flush(): Promise<void> {
    await this.db.flushed;
  }

  async clear(): Promise<void> {
    await this.db.clearAsync();
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
