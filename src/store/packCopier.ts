// Copies blocks, as stored (already compressed and checked), into new packs for gc's pack
// rewrites. It writes PackWriters directly instead of going through BlockStore.add, which would
// skip every block because the index already names it. Each new pack is sealed (fsynced and
// renamed into packs/XX/) before the index is pointed at it, so until then the old copies are
// the ones in use and a kill leaves only an unsealed pack or a harmless duplicate.
import type { BlockIndex } from './index/blockIndex.js';
import type { PackSpace } from './packSpace.js';
import type { PackEntry } from './pack/format.js';
import { PackWriter } from './pack/packWriter.js';

/** Same size as the block store's packs. */
const PACK_TARGET = 16 << 20;
/** Appends wait for the disk while this much is queued and not written. */
const MAX_UNWRITTEN = 8 << 20;

export class PackCopier {
  /** ids of the packs sealed and indexed so far */
  readonly packIds: string[] = [];
  blocks = 0;
  private writer: PackWriter | null = null;

  constructor(private readonly space: PackSpace, private readonly index: BlockIndex, private readonly packTarget = PACK_TARGET) {}

  /** Appends one block (`entry` as in its old pack, `stored` its stored bytes). */
  async append(entry: PackEntry, stored: Buffer): Promise<void> {
    this.writer ??= await PackWriter.create(this.space.layout, undefined, this.space.format);
    const { address, type, compression, rawLength, storedLength } = entry;
    this.writer.append({ address, type, compression, rawLength, storedLength }, stored);
    this.blocks++;
    if (this.writer.length >= this.packTarget) await this.seal();
    else if (this.writer.unwrittenBytes > MAX_UNWRITTEN) await this.writer.drain();
  }

  /** Seals and indexes the pack being written, if any. */
  async finish(): Promise<void> {
    if (this.writer) await this.seal();
  }

  /** Removes an unsealed pack after a failure; what is already sealed stays (duplicates). */
  async abort(): Promise<void> {
    await this.writer?.abort();
    this.writer = null;
  }

  private async seal(): Promise<void> {
    const writer = this.writer!;
    this.writer = null;
    await this.space.seal(writer);
    await this.index.addPack(writer.packId, writer.entries);
    this.packIds.push(writer.packId);
  }
}
