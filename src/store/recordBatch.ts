// New blocks travel to the compression workers in batches laid out as pack records. Each block is
// copied once, into a slot that leaves room for its record header in front:
//
//   batch := (header(48) raw-bytes slack)*  as built on the JavaScript thread: compression None
//
// A worker compresses the blocks in order, seals each (an encrypted repository: the stored
// bytes become an envelope, src/crypto, SEAL_OVERHEAD bytes longer; `slack` is that room, 0
// otherwise), and moves each record forward over the bytes already consumed (compressBatch), so
// what comes back is `length` bytes of finished records, ready to be written to a pack as they are,
// in the pack's layout (format.ts: a clear header, or format 4's sealed box whose envelope
// header is taken out of the envelope and returned in `seals`). One copy, one message each way and one write call per batch,
// instead of an allocation, two messages and a write per block; the buffers are reused.
import type { Address } from '../core/address.js';
import { CLEAR_PACKS, Compression, HEADER_BYTES, decodeHeader, writeHeader, type PackFormat } from './pack/format.js';
import type { BlockType } from '../core/blocks.js';

/** A batch is sent to a worker once it holds this many bytes. */
export const BATCH_BYTES = 1 << 20;

export interface BatchBlock { address: Address; type: BlockType; rawLength: number }

/** Where each record ended up, and how it is stored, after compression. */
export interface BatchLayout {
  /** bytes of finished records at the start of the buffer */
  length: number;
  storedLengths: number[];
  compressions: Compression[];
  /** a sealed pack layout's: the envelope headers of the blocks, one after the other (format.detached bytes each) */
  seals?: Uint8Array;
}

export class RecordBatch {
  readonly blocks: BatchBlock[] = [];
  rawBytes = 0;
  private used = 0;

  /** `slack`: room left after each block for what sealing adds (0 in a plain repository) */
  constructor(readonly buffer: Buffer, private readonly slack = 0) {}

  get bytes(): number {
    return this.used;
  }

  fits(rawLength: number): boolean {
    return this.used + HEADER_BYTES + rawLength + this.slack <= this.buffer.length;
  }

  /** Appends one block as an uncompressed record. */
  push(type: BlockType, address: Address, raw: Buffer): void {
    const at = this.used;
    writeHeader(this.buffer, at, { type, address, compression: Compression.None, rawLength: raw.length, storedLength: raw.length });
    raw.copy(this.buffer, at + HEADER_BYTES);
    this.used += HEADER_BYTES + raw.length + this.slack;
    this.rawBytes += raw.length;
    this.blocks.push({ address, type, rawLength: raw.length });
  }

  /** The layout of the batch as built: every record uncompressed (a batch without slack only). */
  rawLayout(): BatchLayout {
    return { length: this.used, storedLengths: this.blocks.map((b) => b.rawLength), compressions: this.blocks.map(() => Compression.None) };
  }
}

/** Batch buffers, kept for reuse once their records are written (or dropped, for a dry run). */
export class BatchBuffers {
  private readonly free: Buffer[] = [];

  /** A buffer of BATCH_BYTES, or of exactly `min` bytes for a block that needs more. */
  take(min: number): Buffer {
    if (min > BATCH_BYTES) return Buffer.allocUnsafeSlow(min);
    return this.free.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES);
  }

  give(b: Buffer): void {
    if (b.length === BATCH_BYTES && this.free.length < 8) this.free.push(b);
  }
}

/** Seals a block's stored bytes as the block `address` of `type` (Sealer.sealBlock of src/crypto): into the start of `into` when given, else a new buffer. */
export type BlockSealer = (address: Buffer, type: BlockType, stored: Buffer, into?: Buffer) => Buffer;

/**
 * Compresses the `count` records of a batch in place, and seals each with `seal` when given (then
 * every block has `slack` bytes of room after it), writing records in the layout of `format`.
 * `compress(src, limit)` returns the zstd frame of `src` (in scratch memory of its own), or null
 * when the frame would take more than `limit` bytes; then the block stays raw. Each record's new
 * position never passes its old one (a stored block is never longer than its raw bytes and its
 * slack), so moving it forward overwrites only records already done.
 */
export function compressBatch(b: Buffer, count: number, compress: (src: Buffer, limit: number) => Buffer | null, seal?: BlockSealer, slack = 0, format: PackFormat = CLEAR_PACKS): BatchLayout {
  const layout: BatchLayout = { length: 0, storedLengths: [], compressions: [] };
  const { headerBytes, detached } = format;
  const seals = detached ? Buffer.allocUnsafe(count * detached) : null;
  let from = 0, to = 0;
  for (let i = 0; i < count; i++) {
    // Read before the record moves: its new place may overlap its old header.
    const header = decodeHeader(b, from)!;
    const { rawLength } = header;
    const raw = b.subarray(from + HEADER_BYTES, from + HEADER_BYTES + rawLength);
    const frame = rawLength >= 64 ? compress(raw, rawLength - 1) : null;
    const compression = frame ? Compression.Zstd : Compression.None;
    // Sealed in place: the envelope is written where the block goes (its raw bytes and slack are
    // room enough); a detached envelope header lies where the record's header then goes.
    const at = to + headerBytes - detached;
    const sealed = seal ? seal(header.address, header.type, frame ?? raw, b.subarray(at, from + HEADER_BYTES + rawLength + slack)) : null;
    const out = sealed ?? frame;
    const stored = out ? out.length : rawLength;
    if (frame && !sealed) frame.copy(b, to + HEADER_BYTES);
    else if (!out && to !== from) b.copyWithin(to + HEADER_BYTES, from + HEADER_BYTES, from + HEADER_BYTES + rawLength);
    const entry = { ...header, compression, storedLength: stored };
    if (seals && sealed) {
      const envelopeHeader = seals.subarray(i * detached, (i + 1) * detached);
      sealed.copy(envelopeHeader, 0, 0, detached);
      format.writeHeader(b, to, { ...entry, seal: envelopeHeader });
    } else format.writeHeader(b, to, entry);
    layout.storedLengths.push(stored);
    layout.compressions.push(compression);
    from += HEADER_BYTES + rawLength + slack;
    to += headerBytes + stored - detached;
  }
  layout.length = to;
  if (seals) layout.seals = seals;
  return layout;
}
