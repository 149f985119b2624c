// The pack layout of format 4 (docs/ENCRYPTION.md, "Format 4"): nothing in a pack is in the clear
// but its magic and the length of its sealed trailer. Each record is a sealed box, then the body
// of the block's envelope (ciphertext and tag); the envelope's header (which would repeat the
// writer's session tag at every block and so mark every boundary) is kept in the box, the
// trailer and the index instead. Boxes are sealed with random nonces (packSealing.ts in
// src/crypto), so every byte of a record looks random to someone without a key; a holder of any
// key can walk the boxes of a pack whose trailer is lost (recovery, salvage).
//
//   pack    := 'DDFSPK02'(8) record* trailer?
//   record  := box(BOX_BYTES) body(storedLength - 46)
//   box     := sealed box of entry(SEALED_ENTRY_BYTES, its offset 0)
//   trailer := sealed writer record {type 'pack-trailer', name packId} of entry(SEALED_ENTRY_BYTES)*
//              length of that record(u32le) 'DPAKEND2'(8)
//   entry   := as in the clear layout (format.ts), then the envelope header(46)
import type { PackSealing } from '../../crypto/packSealing.js';
import { BOX_OVERHEAD } from '../../crypto/packSealing.js';
import { ENVELOPE_HEADER_BYTES } from '../../crypto/envelope.js';
import { BlockType } from '../../core/blocks.js';
import { Compression, SEALED_ENTRY_BYTES, decodeTrailerEntries, encodeEntries, type PackEntry, type PackFormat } from './format.js';

export const SEALED_PACK_MAGIC = Buffer.from('DDFSPK02');
const TRAILER_MAGIC = Buffer.from('DPAKEND2');
export const BOX_BYTES = SEALED_ENTRY_BYTES + BOX_OVERHEAD;
const FOOTER_BYTES = 4 + TRAILER_MAGIC.length;
const TRAILER_RECORD = 'pack-trailer';

/** Format 4's pack layout, sealing with `sealing` (any key's: a write-only key writes and walks packs too). */
export function sealedPacks(sealing: PackSealing): PackFormat {
  const plain = Buffer.alloc(SEALED_ENTRY_BYTES);
  return {
    magic: SEALED_PACK_MAGIC,
    headerBytes: BOX_BYTES,
    detached: ENVELOPE_HEADER_BYTES,
    footerBytes: FOOTER_BYTES,
    shuffle: true,
    writeHeader(b, at, e) {
      encodeEntries([{ ...e, offset: 0 }], plain, 0, SEALED_ENTRY_BYTES);
      sealing.sealBox(plain, b.subarray(at, at + BOX_BYTES));
    },
    decodeHeader(b, offset) {
      if (b.length - offset < BOX_BYTES) return null;
      const opened = sealing.openBox(b.subarray(offset, offset + BOX_BYTES));
      if (!opened || opened.length !== SEALED_ENTRY_BYTES) return null;
      const [e] = decodeTrailerEntries(opened, 1, SEALED_ENTRY_BYTES);
      if (e.offset !== 0 || !known(e) || e.storedLength < ENVELOPE_HEADER_BYTES) return null;
      return { ...e, offset };
    },
    encodeTrailer(packId, entries) {
      const list = Buffer.alloc(entries.length * SEALED_ENTRY_BYTES);
      encodeEntries(entries, list, 0, SEALED_ENTRY_BYTES);
      const sealed = sealing.sealRecord(TRAILER_RECORD, packId, list);
      const footer = Buffer.alloc(FOOTER_BYTES);
      footer.writeUInt32LE(sealed.length, 0);
      TRAILER_MAGIC.copy(footer, 4);
      return Buffer.concat([sealed, footer]);
    },
    trailerBytes(footer) {
      if (footer.length !== FOOTER_BYTES || !footer.subarray(4).equals(TRAILER_MAGIC)) return null;
      return footer.readUInt32LE(0);
    },
    decodeTrailer(packId, trailer) {
      const list = sealing.openRecord(TRAILER_RECORD, packId, trailer);
      if (!list || list.length % SEALED_ENTRY_BYTES) return null;
      const entries = decodeTrailerEntries(list, list.length / SEALED_ENTRY_BYTES, SEALED_ENTRY_BYTES);
      return entries.every(known) ? entries : null;
    },
  };
}

function known(e: PackEntry): boolean {
  return e.type <= BlockType.List && e.compression <= Compression.Zstd;
}
