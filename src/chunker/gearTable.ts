// The FastCDC gear table, derived rather than pasted: entry i is the first 8 bytes (big-endian)
// of MD5 over 64 bytes all equal to i, the rule that regenerates fastcdc-rs's literal table.
// 256 MD5s take well under a millisecond, once per process.
import { createHash } from 'node:crypto';

let table: BigUint64Array | undefined;

/** The 256 unseeded gear values; GEAR[0] = 0x3b5d3c7d207e37dc. Do not modify the returned array. */
export function gearTable(): BigUint64Array {
  if (!table) {
    table = new BigUint64Array(256);
    for (let i = 0; i < 256; i++) {
      table[i] = createHash('md5').update(Buffer.alloc(64, i)).digest().readBigUInt64BE(0);
    }
  }
  return table;
}
