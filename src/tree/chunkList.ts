// A file's chunk list. Up to INLINE_CHUNKS chunks sit in the tree entry itself; a longer list is
// cut into list blocks of LIST_BLOCK_CHUNKS references each (address + length, binary), stored
// like any other block, so a 64 GiB file costs a short entry and deduplicates like data.
// ChunkTable is the loaded form: addresses packed in one Buffer and cumulative offsets, small
// enough for huge files and ready for binary search by file offset.
import { ADDRESS_BYTES, type Address } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import { BlockType, type BlockReader, type BlockWriter } from '../core/blocks.js';
import type { ChunkRef, FileContent, ListRef } from './entry.js';

export const INLINE_CHUNKS = 64;
export const LIST_BLOCK_CHUNKS = 4096;
const REF_BYTES = ADDRESS_BYTES + 4;


/**
 * Builds a file's content as its chunks arrive. Only the list block being filled is held in
 * memory (at most LIST_BLOCK_CHUNKS references): a file of any size costs the same memory.
 */
export class ChunkListWriter {
  private part: ChunkRef[] = [];
  private readonly lists: ListRef[] = [];

  constructor(private readonly store: BlockWriter) {}

  push(chunk: ChunkRef): void {
    this.part.push(chunk);
    if (this.part.length === LIST_BLOCK_CHUNKS) this.writePart();
  }

  /** The content to store in the file's entry. */
  finish(): FileContent {
    if (!this.lists.length && this.part.length <= INLINE_CHUNKS) return { chunks: this.part };
    if (this.part.length) this.writePart();
    return { lists: this.lists };
  }

  private writePart(): void {
    const block = Buffer.allocUnsafe(this.part.length * REF_BYTES);
    let bytes = 0;
    this.part.forEach((c, j) => {
      c.address.copy(block, j * REF_BYTES);
      block.writeUInt32LE(c.length, j * REF_BYTES + ADDRESS_BYTES);
      bytes += c.length;
    });
    this.lists.push({ address: this.store.add(BlockType.List, block).address, chunks: this.part.length, bytes });
    this.part = [];
  }
}

export class ChunkTable {
  /** offsets[i] is where chunk i starts in the file; offsets[count] is the file size. */
  constructor(readonly addresses: Buffer, readonly offsets: Float64Array) {}

  get count(): number {
    return this.offsets.length - 1;
  }

  get size(): number {
    return this.offsets[this.count];
  }

  address(i: number): Address {
    return this.addresses.subarray(i * ADDRESS_BYTES, (i + 1) * ADDRESS_BYTES);
  }

  length(i: number): number {
    return this.offsets[i + 1] - this.offsets[i];
  }

  /** The index of the chunk holding byte `pos` (binary search); count when pos >= size. */
  find(pos: number): number {
    let lo = 0, hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid + 1] <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Loads the whole chunk list of a file (reading its list blocks, if any). */
export async function loadChunkTable(store: BlockReader, content: FileContent | undefined): Promise<ChunkTable> {
  if (!content) return new ChunkTable(Buffer.alloc(0), new Float64Array([0]));
  const total = 'chunks' in content ? content.chunks.length : content.lists.reduce((n, l) => n + l.chunks, 0);
  const addresses = Buffer.allocUnsafe(total * ADDRESS_BYTES);
  const offsets = new Float64Array(total + 1);
  let i = 0;
  const push = (addr: Buffer, length: number) => {
    addr.copy(addresses, i * ADDRESS_BYTES);
    offsets[i + 1] = offsets[i] + length;
    i++;
  };
  if ('chunks' in content) for (const c of content.chunks) push(c.address, c.length);
  else {
    for (const l of content.lists) {
      const block = await store.get(l.address);
      if (block.length !== l.chunks * REF_BYTES) throw new DedupfsError('REPO_DAMAGED', 'a chunk list block has the wrong length');
      for (let j = 0; j < l.chunks; j++) {
        push(block.subarray(j * REF_BYTES, j * REF_BYTES + ADDRESS_BYTES), block.readUInt32LE(j * REF_BYTES + ADDRESS_BYTES));
      }
    }
  }
  return new ChunkTable(addresses, offsets);
}
