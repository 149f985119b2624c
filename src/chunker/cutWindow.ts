// One FastCDC wasm instance and the window of input bytes it holds. Callers append bytes (or
// read a file straight into space()), and once the window is full ask for the cuts: only cuts
// that no later byte can move are made, i.e. those with at least `max` bytes after the chunk
// start, or any at end of input. That is what makes streamed and in-memory chunking agree
// whatever the read sizes. The undecided tail (< max bytes) moves to the window's start before
// the next fill, so memory stays at fill size + max bytes. A window serves one stream at a time.
import type { Chunk, StreamedChunk } from './chunk.js';
import { gearTable } from './gearTable.js';
import { instantiateFastcdc, type FastcdcExports } from './fastcdcWasm.js';
import type { ChunkerParams } from './params.js';

/** Bytes added between two cut searches unless the caller asks otherwise: one wasm call per 4 MiB. */
export const DEFAULT_FILL_SIZE = 4 * 1024 * 1024;

const PAGE = 65536;

export class CutWindow {
  readonly #wasm: FastcdcExports;
  readonly #max: number;
  readonly #input: number;
  readonly #outCapacity: number;
  #bytes!: Uint8Array;
  #lengths!: Uint32Array;
  #hashes!: BigUint64Array;
  #capacity = 0;
  /** Stream offset of window byte 0. */
  #base = 0;
  /** Window offsets: the next chunk starts at #pos, bytes end at #end. */
  #pos = 0;
  #end = 0;

  constructor(params: ChunkerParams) {
    this.#wasm = instantiateFastcdc();
    this.#max = params.max;
    this.#input = this.#wasm.inputPtr();
    this.#outCapacity = this.#wasm.outCapacity();
    this.#mapMemory();
    new BigUint64Array(this.#bytes.buffer, this.#wasm.gearBasePtr(), 256).set(params.gear ?? gearTable());
    this.#wasm.configure(params.min, params.avg, params.max, params.level, params.seed);
  }

  /** Empties the window for a new stream that adds up to `fillSize` bytes between cut searches. */
  reset(fillSize: number): void {
    if (!Number.isSafeInteger(fillSize) || fillSize < 1 || fillSize > 2 ** 30) {
      throw new RangeError(`fill size ${fillSize} is out of range 1..2^30`);
    }
    this.#capacity = fillSize + this.#max;
    const missing = this.#input + this.#capacity - this.#wasm.memory.buffer.byteLength;
    if (missing > 0) {
      this.#wasm.memory.grow(Math.ceil(missing / PAGE));
      this.#mapMemory();
    }
    this.#base = this.#pos = this.#end = 0;
  }

  /** True when no byte fits any more: time for cut(false). */
  get full(): boolean {
    return this.#end === this.#capacity;
  }

  /** Free space (at most `limit` bytes) to fill, e.g. by a file read; then commit() what was written. */
  space(limit: number): Uint8Array {
    if (this.#pos > 0) this.#compact();
    const start = this.#input + this.#end;
    return this.#bytes.subarray(start, start + Math.min(limit, this.#capacity - this.#end));
  }

  /** Records that `count` bytes were written at the start of the last space(). */
  commit(count: number): void {
    this.#end += count;
  }

  /** Copies as much of `source` as fits; returns how many bytes that was. */
  append(source: Uint8Array): number {
    const space = this.space(source.length);
    space.set(source.length === space.length ? source : source.subarray(0, space.length));
    this.#end += space.length;
    return space.length;
  }

  /**
   * The chunks that can be cut now; `eof` says no more bytes will come, so everything left is cut.
   * Their bytes can be copied out (cutWithData) until the next space() or append().
   */
  cut(eof: boolean): Chunk[] {
    const chunks: Chunk[] = [];
    let count: number;
    do {
      count = this.#wasm.scan(this.#pos, this.#end, eof ? 1 : 0);
      for (let i = 0; i < count; i++) {
        const length = this.#lengths[i];
        chunks.push({ offset: this.#base + this.#pos, length, hash: this.#hashes[i] });
        this.#pos += length;
      }
    } while (count === this.#outCapacity);
    return chunks;
  }

  /** The bytes of a chunk that the last cut() returned: a copy, or a view into the window. */
  #bytesOf(chunk: Chunk, copy: boolean): Buffer {
    const start = this.#input + chunk.offset - this.#base;
    const view = Buffer.from(this.#bytes.buffer, start, chunk.length);
    return copy ? Buffer.from(view) : view;
  }

  /**
   * cut(eof), each chunk with its bytes: a copy the caller owns, or with `copy` false a view
   * that is valid only until the next space() or append() (no allocation per chunk).
   */
  *cutWithData(eof: boolean, copy = true): Generator<StreamedChunk> {
    for (const chunk of this.cut(eof)) yield { ...chunk, data: this.#bytesOf(chunk, copy) };
  }

  #compact(): void {
    this.#bytes.copyWithin(this.#input, this.#input + this.#pos, this.#input + this.#end);
    this.#base += this.#pos;
    this.#end -= this.#pos;
    this.#pos = 0;
  }

  /** Growing the memory replaces its ArrayBuffer; the views must follow. */
  #mapMemory(): void {
    const buffer = this.#wasm.memory.buffer;
    this.#bytes = new Uint8Array(buffer);
    this.#lengths = new Uint32Array(buffer, this.#wasm.outLengthsPtr(), this.#outCapacity);
    this.#hashes = new BigUint64Array(buffer, this.#wasm.outHashesPtr(), this.#outCapacity);
  }
}
