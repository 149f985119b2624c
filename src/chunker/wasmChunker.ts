// The Chunker: FastCDC-2020 with one set of parameters, created once and reused for every
// input. It keeps a few idle wasm instances (CutWindows) so that sequential inputs reuse one
// and concurrent streams each get their own; none is shared between two inputs at once.
import type { Chunk } from './chunk.js';
import { CutWindow, DEFAULT_FILL_SIZE } from './cutWindow.js';
import { DEFAULT_CHUNKER_PARAMS, validateChunkerParams, type ChunkerParams } from './params.js';

const MAX_IDLE_WINDOWS = 4;

export class Chunker {
  readonly params: Readonly<ChunkerParams>;
  readonly #idle: CutWindow[] = [];

  /** Validates `params` (DedupfsError('USAGE') if bad) and loads the wasm module. */
  constructor(params: ChunkerParams = DEFAULT_CHUNKER_PARAMS) {
    validateChunkerParams(params);
    this.params = Object.freeze({ ...params });
    this.#idle.push(new CutWindow(this.params));
  }

  /**
   * Cuts a buffer held in memory.
   * @example new Chunker().chunkBuffer(bytes).map((c) => bytes.subarray(c.offset, c.offset + c.length))
   */
  chunkBuffer(buf: Uint8Array): Chunk[] {
    // A small buffer needs no 4 MiB window: wasm memory never shrinks once grown.
    const window = this.acquireWindow(Math.max(1, Math.min(DEFAULT_FILL_SIZE, buf.length)));
    try {
      const chunks: Chunk[] = [];
      for (let done = 0; done < buf.length;) {
        done += window.append(buf.subarray(done));
        if (window.full) for (const chunk of window.cut(false)) chunks.push(chunk);
      }
      for (const chunk of window.cut(true)) chunks.push(chunk);
      return chunks;
    } finally {
      this.releaseWindow(window);
    }
  }

  /** @internal A window for one input (chunkStream, chunkFile); give it back with releaseWindow. */
  acquireWindow(fillSize: number): CutWindow {
    const window = this.#idle.pop() ?? new CutWindow(this.params);
    window.reset(fillSize);
    return window;
  }

  /** @internal */
  releaseWindow(window: CutWindow): void {
    if (this.#idle.length < MAX_IDLE_WINDOWS) this.#idle.push(window);
  }
}
