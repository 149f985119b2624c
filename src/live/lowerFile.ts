// Chunk-level copy-up. A stored file opened for writing gets a staging file of its size that
// is sparse at first: a chunk of the stored file is copied into it only when a write touches
// that chunk, so a 1-byte write into a 4 GB file copies one chunk, not 4 GB. LowerFile says,
// for every byte of such a file, where it lives:
//
//   below `limit`, in a chunk not copied   the stored chunk (the lower layer)
//   anywhere else                          the staging file (a hole there reads as zeros)
//
// `limit` starts at the stored size and only comes down (a truncate): what a truncate cut off
// never shows again, even when the file grows back over it. At a commit the chunks never copied
// are kept by reference and only the rest is chunked again (storeLayered.ts).
import type { ChunkTable } from '../tree/chunkList.js';

/** Part of a byte range: [start, end) from stored chunk `chunk`, or (chunk -1) from the staging file. */
export interface Segment { start: number; end: number; chunk: number }

export class LowerFile {
  /** copied[k] is 1 once chunk k is in the staging file */
  private readonly copied: Uint8Array;

  constructor(readonly table: ChunkTable, public limit: number) {
    this.copied = new Uint8Array(table.count);
    this.limit = Math.min(limit, table.size);
  }

  /** Chunk k is read from the store: not copied, and starting below the limit. */
  stored(k: number): boolean {
    return k < this.table.count && !this.copied[k] && this.table.offsets[k] < this.limit;
  }

  /** Chunk k is kept whole, by reference, at a commit. */
  kept(k: number): boolean {
    return this.stored(k) && this.table.offsets[k + 1] <= this.limit;
  }

  /** The chunks a write to [start, end) must copy first. */
  missing(start: number, end: number): number[] {
    const out: number[] = [];
    for (let k = this.table.find(start); k < this.table.count && this.table.offsets[k] < Math.min(end, this.limit); k++) {
      if (!this.copied[k]) out.push(k);
    }
    return out;
  }

  mark(chunks: number[]): void {
    for (const k of chunks) if (k >= 0 && k < this.copied.length) this.copied[k] = 1;
  }

  /** Where the bytes of [start, end) live, in order. */
  segments(start: number, end: number): Segment[] {
    const out: Segment[] = [];
    const { table } = this;
    for (let at = start; at < end;) {
      const k = table.find(at);
      if (at < this.limit && this.stored(k)) {
        const stop = Math.min(end, table.offsets[k + 1], this.limit);
        out.push({ start: at, end: stop, chunk: k });
        at = stop;
        continue;
      }
      let j = k + 1;
      while (j < table.count && !this.stored(j)) j++;
      const stop = Math.min(end, j < table.count ? table.offsets[j] : end);
      const last = out.at(-1);
      if (last && last.chunk === -1) last.end = stop;
      else out.push({ start: at, end: stop, chunk: -1 });
      at = stop;
    }
    return out;
  }
}
