// Reads one open file of a snapshot at any offset. A read costs only the chunks it touches:
// ChunkTable.find (binary search over the chunk offsets) gives the first, and the chunks come
// from the shared BlockCache, copied straight from its memory into the kernel's read buffer.
// When reads follow one another (the kernel splits a sequential read into requests of 128 KiB at
// most), the reader fetches ahead: a window that starts at 1 MiB past the read and doubles on
// each sequential read up to maxReadAhead, so that reading, decompressing and checking the next
// chunks overlaps the reads of the current ones.
import { DedupfsError } from '../core/errors.js';
import type { ChunkTable } from '../tree/chunkList.js';
import type { BlockCache } from './blockCache.js';

const FIRST_WINDOW = 1 << 20;
/** The kernel's largest read request (libfuse 2 allows 32 pages). */
const FIRST_READ = 128 << 10;
/** How far from the last read's end a read may start and still count as sequential. */
const SEQUENTIAL_SLACK = 1 << 20;

export class FileReader {
  private lastEnd = -1;
  private window = 0;
  /** Chunks below this index have been fetched ahead already. */
  private aheadChunk = 0;

  constructor(private readonly table: ChunkTable, private readonly cache: BlockCache, private readonly maxReadAhead: number) {}

  /** Starts fetching the start of the file, which a program that opens a file usually reads first. */
  prefetchStart(): void {
    this.cache.prefetch(this.addresses(0, Math.min(this.table.count, this.table.find(FIRST_READ - 1) + 1)));
  }

  /**
   * Copies up to `length` bytes at `pos` into `buf` when every chunk they need is cached, without
   * waiting: returns how many (0 at the end of the file), or null when a chunk must be fetched.
   */
  readCached(buf: Buffer, length: number, pos: number): number | null {
    const { table } = this;
    const end = Math.min(table.size, pos + length);
    if (pos >= end) return 0;
    const first = table.find(pos);
    const last = table.find(end - 1);
    const chunks: Buffer[] = [];
    for (let i = first; i <= last; i++) {
      const data = this.cache.peek(table.address(i));
      if (!data) return null;
      chunks.push(data);
    }
    this.fetchAhead(pos, end, last + 1);
    return this.copy(buf, pos, end, first, chunks);
  }

  /** Copies up to `length` bytes at `pos` into `buf`; returns how many (0 at the end of the file). */
  async read(buf: Buffer, length: number, pos: number): Promise<number> {
    const { table } = this;
    const end = Math.min(table.size, pos + length);
    if (pos >= end) return 0;
    const first = table.find(pos);
    const last = table.find(end - 1);
    const read = this.cache.readMany(this.addresses(first, last + 1), (chunks) => this.copy(buf, pos, end, first, chunks));
    this.fetchAhead(pos, end, last + 1);
    return read;
  }

  private copy(buf: Buffer, pos: number, end: number, first: number, chunks: Buffer[]): number {
    const { table } = this;
    let done = 0;
    chunks.forEach((data, k) => {
      const i = first + k;
      const start = table.offsets[i];
      if (data.length !== table.length(i)) {
        throw new DedupfsError('REPO_DAMAGED', `chunk ${i} is ${data.length} bytes, its chunk list says ${table.length(i)}`);
      }
      done += data.copy(buf, done, Math.max(pos, start) - start, Math.min(end, table.offsets[i + 1]) - start);
    });
    return done;
  }

  private addresses(from: number, to: number): Buffer[] {
    const out: Buffer[] = [];
    for (let i = from; i < to; i++) out.push(this.table.address(i));
    return out;
  }

  /**
   * After a sequential read, makes sure the chunks up to `window` bytes past it are being
   * fetched. Chunks are asked for in batches of at least half a window, so that the store reads
   * long runs of them with one system call each.
   */
  private fetchAhead(pos: number, end: number, next: number): void {
    const sequential = this.lastEnd >= 0 && Math.abs(pos - this.lastEnd) <= SEQUENTIAL_SLACK;
    this.lastEnd = Math.max(end, sequential ? this.lastEnd : 0);
    if (!sequential || this.maxReadAhead <= 0) {
      this.window = 0;
      this.aheadChunk = 0;
      return;
    }
    this.window = Math.min(this.maxReadAhead, this.window ? this.window * 2 : FIRST_WINDOW);
    const { table } = this;
    const from = Math.max(next, this.aheadChunk);
    if (from >= table.count || table.offsets[from] - end >= this.window / 2) return;
    const until = Math.min(table.size, end + this.window);
    let to = from;
    while (to < table.count && table.offsets[to] < until) to++;
    this.cache.prefetch(this.addresses(from, to));
    this.aheadChunk = to;
  }
}
