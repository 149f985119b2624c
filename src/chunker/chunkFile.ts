// Chunks one file: reads go straight into the wasm window (no intermediate buffer), and each
// chunk is copied out once, into a Buffer the caller owns (or lent as a view, opts.copy).
// Memory: readSize + max bytes.
import { open, type FileHandle } from 'node:fs/promises';
import { ioError } from '../core/errors.js';
import type { StreamedChunk } from './chunk.js';
import { DEFAULT_FILL_SIZE } from './cutWindow.js';
import type { Chunker } from './wasmChunker.js';

export interface ChunkFileOptions {
  /** Bytes per read call; default 4 MiB. */
  readSize?: number;
  /**
   * false: each chunk's data is a view into the chunker's window, valid only until the loop
   * asks for the next chunk (no allocation per chunk, for callers that copy or hash at once).
   */
  copy?: boolean;
}

/**
 * Yields the chunks of the file at `path` (a Buffer path keeps non-UTF-8 names intact), each with
 * a copy of its bytes. A missing or unreadable file throws a DedupfsError naming it.
 * @example for await (const chunk of chunkFile('/etc/hosts', chunker)) store(chunk.data)
 */
export async function* chunkFile(path: string | Buffer, chunker: Chunker, opts: ChunkFileOptions = {}): AsyncGenerator<StreamedChunk> {
  const readSize = opts.readSize ?? DEFAULT_FILL_SIZE;
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (err) {
    throw ioError(err, 'cannot open', path.toString());
  }
  const window = chunker.acquireWindow(readSize);
  try {
    for (;;) {
      const space = window.space(readSize);
      let bytesRead: number;
      try {
        ({ bytesRead } = await file.read(space, 0, space.length, null));
      } catch (err) {
        throw ioError(err, 'cannot read', path.toString());
      }
      if (bytesRead === 0) break;
      window.commit(bytesRead);
      if (window.full) yield* window.cutWithData(false, opts.copy);
    }
    yield* window.cutWithData(true, opts.copy);
  } finally {
    chunker.releaseWindow(window);
    await file.close();
  }
}
