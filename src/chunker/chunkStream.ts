// Chunks any async byte source (a file stream, a socket, a generator) with bounded memory:
// the window holds one fill (4 MiB) plus at most `max` undecided bytes, whatever the source's
// piece sizes, and the cut points are those chunkBuffer would find on the whole input.
import type { StreamedChunk } from './chunk.js';
import { DEFAULT_FILL_SIZE } from './cutWindow.js';
import type { Chunker } from './wasmChunker.js';

/**
 * Yields the chunks of `source` in order, each with a copy of its bytes that the caller may keep.
 * Pieces may have any size, including 0 and 1 byte, and may be reused by the source after they are read.
 * @example for await (const { offset, length, data } of chunkStream(createReadStream(path), chunker)) ...
 */
export async function* chunkStream(source: AsyncIterable<Uint8Array>, chunker: Chunker): AsyncGenerator<StreamedChunk> {
  const window = chunker.acquireWindow(DEFAULT_FILL_SIZE);
  try {
    for await (const piece of source) {
      for (let done = 0; done < piece.length;) {
        done += window.append(done === 0 ? piece : piece.subarray(done));
        if (window.full) yield* window.cutWithData(false);
      }
    }
    yield* window.cutWithData(true);
  } finally {
    chunker.releaseWindow(window);
  }
}
