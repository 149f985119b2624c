// The sealing a format 4 pack needs besides its blocks' envelopes (docs/ENCRYPTION.md, "Format 4"):
// a small sealed box before each block, that says where the block ends and which envelope header
// opens it, and the sealed records that list a pack's blocks (its trailer, index objects).
// Everything here is for writers: any key of the repository (write-only ones too) seals and
// opens it, as it must read the index to deduplicate.
//
//   box := nonce(12, random) ChaCha20-Poly1305(box key of the generation, nonce, plaintext) tag(16)
//
// A box's nonce is random, not a counter: a box is sealed where its block is (on a compression
// worker) before anyone knows which pack or place the block will have, and a reader walking a
// pack must open it knowing nothing but the generation. Under one generation's box key, 2^32
// boxes (2^32 blocks, ~256 TiB of 64 KiB blocks) keep the chance of a repeated nonce below
// 2^-32; a rotation starts a new key.
import { createCipheriv, createDecipheriv, hkdfSync, randomFillSync } from 'node:crypto';
import { currentGeneration, type KeyMaterial } from './keyMaterial.js';
import { Opener } from './opener.js';
import { Sealer } from './sealer.js';

const CIPHER = 'chacha20-poly1305';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Bytes a box adds to its plaintext. */
export const BOX_OVERHEAD = NONCE_BYTES + TAG_BYTES;

/** What packs of format 4 seal with: boxes, and writer records (trailers, index objects). */
export interface PackSealing {
  /** Seals `plain` into `into` (BOX_OVERHEAD bytes longer than `plain`), under the newest generation. */
  sealBox(plain: Buffer, into: Buffer): void;
  /** The plaintext of a box, or null when it opens under no generation (damage, or not a box). */
  openBox(box: Buffer): Buffer | null;
  /** Seals a record every key reads, bound to its type and name. */
  sealRecord(type: string, name: string, plain: Buffer): Buffer;
  /** The plaintext of a record sealRecord sealed as this type and name, or null. */
  openRecord(type: string, name: string, sealed: Buffer): Buffer | null;
}

function boxKey(recordKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', recordKey, Buffer.alloc(0), 'dedupfs pack box v1', 32));
}

/** The pack sealing of `material` (a write-only view is enough). */
export function packSealing(material: KeyMaterial): PackSealing {
  const current = boxKey(currentGeneration(material).recordKey);
  // Newest first: the generation a box was most likely sealed under is tried first.
  const keys = material.generations.map((g) => boxKey(g.recordKey)).reverse();
  let sealer: Sealer | null = null;
  const opener = new Opener(material);
  return {
    sealBox(plain, into) {
      const nonce = randomFillSync(Buffer.allocUnsafe(NONCE_BYTES));
      const cipher = createCipheriv(CIPHER, current, nonce, { authTagLength: TAG_BYTES });
      nonce.copy(into, 0);
      const n = cipher.update(plain).copy(into, NONCE_BYTES);
      cipher.final();
      cipher.getAuthTag().copy(into, NONCE_BYTES + n);
    },
    openBox(box) {
      if (box.length < BOX_OVERHEAD) return null;
      const nonce = box.subarray(0, NONCE_BYTES);
      const text = box.subarray(NONCE_BYTES, box.length - TAG_BYTES);
      for (const key of keys) {
        try {
          const decipher = createDecipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
          decipher.setAuthTag(box.subarray(box.length - TAG_BYTES));
          const out = decipher.update(text);
          decipher.final();
          return out;
        } catch {
          // not this generation's
        }
      }
      return null;
    },
    sealRecord(type, name, plain) {
      return (sealer ??= new Sealer(material)).sealRecord({ type, name }, plain, 'writers');
    },
    openRecord(type, name, sealed) {
      try {
        return opener.openRecord({ type, name }, sealed);
      } catch {
        return null;
      }
    },
  };
}
