// The bytes of a pack file. A pack is self-describing: every block is preceded by a header
// carrying its address, type and lengths, and a sealed pack ends with a trailer listing all of
// them, so the index can be rebuilt from the packs alone (from the trailer when it is there, by
// scanning the headers when a crash left the pack without one).
//
// Two layouts, each a PackFormat: the clear one below (formats 1 to 3), and format 4's sealed one
// (sealedFormat.ts), where headers and trailer are sealed and say nothing to an outsider.
//
//   pack    := MAGIC(8) record* trailer?
//   record  := header(48) stored-bytes
//   header  := 'DBLK'(4) type(1) compression(1) 0(2) rawLength(u32le) storedLength(u32le) address(32)
//   trailer := entry(48)* count(u32le) 0(u32le) 'DPAKEND1'(8)
//   entry   := address(32) offset(u32le, of the record header) type(1) compression(1) 0(2) rawLength(u32le) storedLength(u32le)
import type { Address } from '../../core/address.js';
import { BlockType } from '../../core/blocks.js';
import { ENVELOPE_HEADER_BYTES } from '../../crypto/envelope.js';

export const PACK_MAGIC = Buffer.from('DDFSPK01');
export const RECORD_MAGIC = Buffer.from('DBLK');
export const TRAILER_MAGIC = Buffer.from('DPAKEND1');
export const HEADER_BYTES = 48;
export const ENTRY_BYTES = 48;
export const FOOTER_BYTES = 16;
/** An entry that carries its block's envelope header (format 4): ENTRY_BYTES, then the header. */
export const SEALED_ENTRY_BYTES = ENTRY_BYTES + ENVELOPE_HEADER_BYTES;

export enum Compression { None = 0, Zstd = 1 }

export interface PackEntry {
  address: Address;
  offset: number;        // of the record header within the pack
  type: BlockType;
  compression: Compression;
  rawLength: number;
  /** the block's stored bytes: compressed or not, and in an encrypted repository sealed (the whole envelope) */
  storedLength: number;
  /** format 4: the block's envelope header, kept in the sealed trailer and the index rather than in the pack */
  seal?: Buffer;
}

/**
 * How packs are laid out: where a record's stored bytes start, how its header and the trailer
 * are written and read. CLEAR_PACKS for formats 1 to 3, sealedPacks() (sealedFormat.ts) for 4.
 */
export interface PackFormat {
  readonly magic: Buffer;
  /** bytes of a record before its stored bytes */
  readonly headerBytes: number;
  /** leading bytes of a block's stored bytes kept in its entry (`seal`) rather than in the pack */
  readonly detached: number;
  readonly footerBytes: number;
  /** blocks of a batch are written in random order */
  readonly shuffle: boolean;
  /** Writes the header of the record of `e` into `b` at `at` (headerBytes). */
  writeHeader(b: Buffer, at: number, e: Omit<PackEntry, 'offset'>): void;
  /** The entry of the record whose header is at `offset` in `b`; null when there is none. */
  decodeHeader(b: Buffer, offset: number): PackEntry | null;
  /** The trailer and footer of pack `packId` holding `entries`. */
  encodeTrailer(packId: string, entries: PackEntry[]): Buffer;
  /** How many bytes of trailer lie before `footer`, or null when it is no footer. */
  trailerBytes(footer: Buffer): number | null;
  /** The entries a trailer lists, or null when it is damaged. */
  decodeTrailer(packId: string, trailer: Buffer): PackEntry[] | null;
}

/** Bytes the record of a block with `storedLength` stored bytes takes in a pack of `format`. */
export function recordBytes(format: PackFormat, storedLength: number): number {
  return format.headerBytes + storedLength - format.detached;
}

/** The clear layout above: formats 1 to 3. */
export const CLEAR_PACKS: PackFormat = {
  magic: PACK_MAGIC,
  headerBytes: HEADER_BYTES,
  detached: 0,
  footerBytes: FOOTER_BYTES,
  shuffle: false,
  writeHeader,
  decodeHeader,
  encodeTrailer: (_packId, entries) => encodeTrailer(entries),
  trailerBytes: (footer) => {
    const count = decodeFooter(footer);
    return count === null ? null : count * ENTRY_BYTES;
  },
  decodeTrailer: (_packId, trailer) => decodeTrailerEntries(trailer, trailer.length / ENTRY_BYTES),
};

export function encodeHeader(e: Omit<PackEntry, 'offset'>): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  writeHeader(b, 0, e);
  return b;
}

/** Writes a record header into `b` at `at` (the batches of recordBatch.ts are built in place). */
export function writeHeader(b: Buffer, at: number, e: Omit<PackEntry, 'offset'>): void {
  RECORD_MAGIC.copy(b, at);
  b[at + 4] = e.type;
  b[at + 5] = e.compression;
  b[at + 6] = 0;
  b[at + 7] = 0;
  b.writeUInt32LE(e.rawLength, at + 8);
  b.writeUInt32LE(e.storedLength, at + 12);
  e.address.copy(b, at + 16);
}

/** Parses a record header at `offset`; null when the bytes there are not a header. */
export function decodeHeader(b: Buffer, offset: number): PackEntry | null {
  if (b.length - offset < HEADER_BYTES || !b.subarray(offset, offset + 4).equals(RECORD_MAGIC)) return null;
  const type = b[offset + 4], compression = b[offset + 5];
  if (type > BlockType.List || compression > Compression.Zstd) return null;
  return {
    address: Buffer.from(b.subarray(offset + 16, offset + 48)),
    offset,
    type,
    compression,
    rawLength: b.readUInt32LE(offset + 8),
    storedLength: b.readUInt32LE(offset + 12),
  };
}

export function encodeTrailer(entries: PackEntry[]): Buffer {
  const b = Buffer.alloc(entries.length * ENTRY_BYTES + FOOTER_BYTES);
  encodeEntries(entries, b);
  const f = entries.length * ENTRY_BYTES;
  b.writeUInt32LE(entries.length, f);
  TRAILER_MAGIC.copy(b, f + 8);
  return b;
}

/**
 * Writes `entries` as trailer entries (`width` bytes each: ENTRY_BYTES, or SEALED_ENTRY_BYTES with
 * their envelope headers) into `b` from `at` on; also the body of index objects (indexObjects.ts).
 */
export function encodeEntries(entries: PackEntry[], b: Buffer, at = 0, width = ENTRY_BYTES): void {
  entries.forEach((e, i) => {
    const o = at + i * width;
    e.address.copy(b, o);
    b.writeUInt32LE(e.offset, o + 32);
    b[o + 36] = e.type;
    b[o + 37] = e.compression;
    b.writeUInt32LE(e.rawLength, o + 40);
    b.writeUInt32LE(e.storedLength, o + 44);
    if (width > ENTRY_BYTES) e.seal!.copy(b, o + ENTRY_BYTES);
  });
}

/** The number of entries a footer announces, or null when `footer` is not a trailer footer. */
export function decodeFooter(footer: Buffer): number | null {
  if (footer.length !== FOOTER_BYTES || !footer.subarray(8).equals(TRAILER_MAGIC)) return null;
  return footer.readUInt32LE(0);
}

export function decodeTrailerEntries(b: Buffer, count: number, width = ENTRY_BYTES): PackEntry[] {
  const out: PackEntry[] = [];
  for (let i = 0; i < count; i++) {
    const o = i * width;
    out.push({
      address: Buffer.from(b.subarray(o, o + 32)),
      offset: b.readUInt32LE(o + 32),
      type: b[o + 36],
      compression: b[o + 37],
      rawLength: b.readUInt32LE(o + 40),
      storedLength: b.readUInt32LE(o + 44),
      ...(width > ENTRY_BYTES ? { seal: Buffer.from(b.subarray(o + ENTRY_BYTES, o + width)) } : {}),
    });
  }
  return out;
}
