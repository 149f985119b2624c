// Streams a regular file's content out of the store, chunk by chunk and in order, for cat,
// restore and the mount. Chunks are fetched ahead of the consumer, half a window at a time, so
// that chunks lying back to back in a pack come in one read (BlockStore.getMany) and reading
// overlaps writing the previous chunks. The window is bounded both in chunks and in bytes, so
// memory stays flat whatever the file's size. Every chunk is checked against its address.
import type { Address } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import { loadChunkTable } from './chunkList.js';
import type { BlockSource } from '../core/blocks.js';
import type { FileContent } from './entry.js';

export interface ContentPiece {
  /** where `data` starts in the file */
  offset: number;
  data: Buffer;
}

export interface ReadContentOptions {
  /** chunks fetched ahead of the consumer (default 16) */
  readAhead?: number;
  /** bytes fetched ahead of the consumer (default 8 MiB; at least one chunk) */
  readAheadBytes?: number;
  /**
   * Called for a chunk that is damaged or missing; its range is then skipped (no piece is
   * yielded for it) and reading goes on. Without it the error is thrown.
   */
  onDamaged?: (err: unknown, offset: number, length: number) => void;
}

type Fetched = { data: Buffer } | { error: unknown };

/** The pieces of the file in order; they cover [0, size) except for ranges passed to onDamaged. */
export async function* readFileContent(store: BlockSource, content: FileContent | undefined, opts: ReadContentOptions = {}): AsyncGenerator<ContentPiece> {
  const table = await loadChunkTable(store, content);
  const maxChunks = Math.max(1, opts.readAhead ?? 16);
  const maxBytes = opts.readAheadBytes ?? 8 << 20;
  const queue: Array<{ index: number; fetched: Promise<Fetched> }> = [];
  let next = 0, queuedBytes = 0;

  const fill = () => {
    // Refill at half empty, so each fill asks for several chunks at once.
    if (queue.length > maxChunks / 2 || queuedBytes > maxBytes / 2) return;
    const first = next;
    while (next < table.count && (next === first && queue.length === 0 || (queue.length + next - first < maxChunks && queuedBytes + table.length(next) <= maxBytes))) {
      queuedBytes += table.length(next++);
    }
    if (next === first) return;
    const addrs: Address[] = [];
    for (let index = first; index < next; index++) addrs.push(table.address(index));
    // One call for the whole window, so chunks that lie back to back in a pack come in one read.
    store.getMany(addrs).forEach((fetch, k) => {
      const index = first + k, length = table.length(index);
      // Settle every fetch into a value at once, so one abandoned by an early return() is never
      // an unhandled rejection.
      const fetched = fetch.then(
        (data): Fetched => (data.length === length ? { data }
          : { error: new DedupfsError('REPO_DAMAGED', `a chunk of ${data.length} bytes is listed as ${length} bytes`) }),
        (error: unknown): Fetched => ({ error }));
      queue.push({ index, fetched });
    });
  };

  fill();
  while (queue.length) {
    const { index, fetched } = queue.shift()!;
    const result = await fetched;
    queuedBytes -= table.length(index);
    fill();
    const offset = table.offsets[index];
    if ('error' in result) {
      if (!opts.onDamaged) throw result.error;
      opts.onDamaged(result.error, offset, table.length(index));
      continue;
    }
    yield { offset, data: result.data };
  }
}
