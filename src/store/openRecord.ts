// The check of one record read from a pack, shared by the block store's own thread and the read
// workers (readPool.ts): the header must name the address, the stored bytes must open (an
// encrypted repository) and decompress to the listed length, and the result must hash to the
// address. A failure is said as the words the block store puts after "block X in pack P", so a
// damaged block is reported the same way whichever thread found it.
import type { Address, HashFunction } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import { HEADER_BYTES, decodeHeader, type BlockType, type Compression } from './pack/format.js';
import { decompressBlock } from './compress.js';

/** What a record should be: a BlockLocation's fields that the check needs. */
export interface RecordShape { type: BlockType; compression: Compression; rawLength: number; storedLength: number }

export type BlockOpener = (address: Address, type: BlockType, stored: Buffer) => Buffer;

/** A record that failed: `why` follows "block X in pack P"; `cause` is the error behind it. */
export interface RecordDamage { why: string; cause?: unknown }

/**
 * The raw bytes of the record `rec` (header first) of block `addr`, written into `into`
 * (shape.rawLength bytes) when given, or what is wrong with it. An error of the opener other
 * than BLOCK_DAMAGED (KEY: a write-only key) is thrown.
 */
export function openRecord(rec: Buffer, addr: Address, shape: RecordShape, hash: HashFunction, open?: BlockOpener, into?: Buffer): { raw: Buffer } | RecordDamage {
  const header = decodeHeader(rec, 0);
  if (rec.length < HEADER_BYTES + shape.storedLength || !header || !header.address.equals(addr)) return { why: 'is damaged (record header does not match)' };
  const stored = rec.subarray(HEADER_BYTES, HEADER_BYTES + shape.storedLength);
  let raw: Buffer;
  try {
    raw = decompressBlock(open ? open(addr, shape.type, stored) : stored, shape.compression, shape.rawLength, into);
  } catch (err) {
    if (err instanceof DedupfsError) {
      if (err.code === 'BLOCK_DAMAGED') return { why: 'is damaged (its sealed bytes do not authenticate)', cause: err };
      throw err;
    }
    return { why: 'is damaged (does not decompress)', cause: err };
  }
  if (raw.length !== shape.rawLength || !hash(raw).equals(addr)) return { why: 'is damaged (content does not match its hash)' };
  return { raw };
}
