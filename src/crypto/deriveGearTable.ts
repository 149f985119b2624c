// A FastCDC gear table of 256 64-bit entries derived from the repository's content key, in the
// shape of src/chunker/gearTable.ts (which the chunker loads into its wasm instance), for use
// with seed 0. With a secret table, cut points (and so chunk sizes) depend on the key: someone
// without it cannot predict how a known file is cut, which is what chunk-size fingerprinting
// needs. Entry 4k+j is bytes 8j..8j+7 (big-endian) of keyed BLAKE3 of the u32le counter k.
import { blakeHash } from '../core/address.js';
import { gearKey } from './contentKeys.js';

export function deriveGearTable(contentKey: Buffer): BigUint64Array {
  const key = gearKey(contentKey);
  const { Blake3Hasher } = blakeHash();
  const table = new BigUint64Array(256);
  const counter = Buffer.alloc(4);
  for (let k = 0; k < 64; k++) {
    counter.writeUInt32LE(k);
    const out = Blake3Hasher.newKeyed(key).update(counter).digestBuffer();
    for (let j = 0; j < 4; j++) table[4 * k + j] = out.readBigUInt64BE(8 * j);
  }
  return table;
}
