// FastCDC 2020 cut-point search, compiled to WebAssembly by `npm run build:wasm`
// (AssemblyScript; dist/wasm/fastcdc.wasm). The gear loop is the one hot loop of ingest, and
// plain JavaScript runs it ~20x slower: here it uses native i64 so the reported hash equals
// the fastcdc-rs v2020 crate bit for bit (its rules: `_about` in test/fixtures/fastcdc/vectors.json).
//
// Memory contract with src/chunker/cutWindow.ts, which owns the instance:
//   1. JS writes the 256 unseeded GEAR entries at gearBasePtr() (MD5 rule, src/chunker/gearTable.ts)
//      and calls configure() once with the chunk sizes, level and seed.
//   2. JS copies input bytes at inputPtr() onward (growing `memory` as needed) and calls
//      scan(start, end, eof), which writes up to OUT_CAPACITY (length, hash) pairs at
//      outLengthsPtr() / outHashesPtr() and returns how many it wrote.
// scan() cuts only where the answer cannot change with more input: at least `max` bytes
// ahead of the chunk start, or at end of input (eof != 0).

// MASKS[i] has i one-bits; indices 0..4 are unused (the crate's table, README section 2.3).
const MASKS: StaticArray<u64> = [
  0, 0, 0, 0, 0,
  0x0000000001804110, 0x0000000001803110, 0x0000000018035100, 0x0000001800035300,
  0x0000019000353000, 0x0000590003530000, 0x0000d90003530000, 0x0000d90103530000,
  0x0000d90303530000, 0x0000d90313530000, 0x0000d90f03530000, 0x0000d90303537000,
  0x0000d90703537000, 0x0000d90707537000, 0x0000d91707537000, 0x0000d91747537000,
  0x0000d91767537000, 0x0000d93767537000, 0x0000d93777537000, 0x0000d93777577000,
  0x0000db3777577000,
];

const OUT_CAPACITY: u32 = 16384;

const GEAR_BASE = memory.data(256 * 8, 16);
const GEAR = memory.data(256 * 8, 16);
const GEAR_LS = memory.data(256 * 8, 16);
const OUT_LENGTHS = memory.data(OUT_CAPACITY * 4, 16);
const OUT_HASHES = memory.data(OUT_CAPACITY * 8, 16);

let minSize: u32 = 0;
let avgSize: u32 = 0;
let maxSize: u32 = 0;
let maskS: u64 = 0;
let maskL: u64 = 0;
/** The hash at the last cut: search() and cut() leave it here. */
let found: u64 = 0;

export function gearBasePtr(): usize { return GEAR_BASE; }
export function outLengthsPtr(): usize { return OUT_LENGTHS; }
export function outHashesPtr(): usize { return OUT_HASHES; }
export function outCapacity(): u32 { return OUT_CAPACITY; }
export function inputPtr(): usize { return (__heap_base + 15) & ~(15 as usize); }

/** bits = round(log2(avg)) by integers: k = floor(log2 avg), plus one if avg^2 >= 2^(2k+1). */
function maskBits(avg: u32): i32 {
  const k = 31 - clz(avg);
  const square = (avg as u64) * (avg as u64);
  return square >= (1 as u64) << ((2 * k + 1) as u64) ? k + 1 : k;
}

/** Sets the sizes, normalization level (0..3) and seed; JS has validated them. */
export function configure(min: u32, avg: u32, max: u32, level: i32, seed: u64): void {
  minSize = min;
  avgSize = avg;
  maxSize = max;
  const bits = maskBits(avg);
  maskS = unchecked(MASKS[bits + level]);
  maskL = unchecked(MASKS[bits - level]);
  // Seeded tables are GEAR ^ seed and GEAR_LS ^ (seed << 1), i.e. GEAR_LS stays GEAR << 1.
  for (let i: usize = 0; i < 256; i++) {
    const g = load<u64>(GEAR_BASE + (i << 3)) ^ seed;
    store<u64>(GEAR + (i << 3), g);
    store<u64>(GEAR_LS + (i << 3), g << 1);
  }
}

/**
 * Hashes from src+a up to src+end (a and end even), two bytes per step: the even byte through
 * GEAR_LS tested against mask << 1, the odd byte through GEAR tested against mask. Returns the
 * position of the first match, or end; the hash there is left in `found`. The loop is unrolled
 * once (four bytes per pass), which measured ~12% faster than one step per pass.
 */
// @ts-ignore: decorator
@inline function search(src: usize, a: usize, end: usize, mask: u64, hash: u64): usize {
  const maskLs = mask << 1;
  while (a + 2 < end) {
    hash = (hash << 2) + load<u64>(GEAR_LS + ((<usize>load<u8>(src + a)) << 3));
    if ((hash & maskLs) == 0) { found = hash; return a; }
    hash += load<u64>(GEAR + ((<usize>load<u8>(src + a + 1)) << 3));
    if ((hash & mask) == 0) { found = hash; return a + 1; }
    hash = (hash << 2) + load<u64>(GEAR_LS + ((<usize>load<u8>(src + a + 2)) << 3));
    if ((hash & maskLs) == 0) { found = hash; return a + 2; }
    hash += load<u64>(GEAR + ((<usize>load<u8>(src + a + 3)) << 3));
    if ((hash & mask) == 0) { found = hash; return a + 3; }
    a += 4;
  }
  if (a < end) {
    hash = (hash << 2) + load<u64>(GEAR_LS + ((<usize>load<u8>(src + a)) << 3));
    if ((hash & maskLs) == 0) { found = hash; return a; }
    hash += load<u64>(GEAR + ((<usize>load<u8>(src + a + 1)) << 3));
    if ((hash & mask) == 0) { found = hash; return a + 1; }
    a += 2;
  }
  found = hash;
  return a;
}

/**
 * Length of the chunk that starts at `src` when `n` bytes remain; its hash is left in `found`.
 * The strict mask applies below avg, the loose one up to max. Bytes before min are never hashed
 * (an odd min starts one byte early), and if n is odd its last byte is never hashed.
 */
function cut(src: usize, n: u32): u32 {
  if (n <= minSize) {
    found = 0;
    return n;
  }
  let center = avgSize;
  if (n > maxSize) n = maxSize;
  else if (n < center) center = n;
  const strictEnd: usize = center & ~1;
  const looseEnd: usize = n & ~1;
  let a = search(src, minSize & ~1, strictEnd, maskS, 0);
  if (a == strictEnd) a = search(src, a, looseEnd, maskL, found);
  return a == looseEnd ? n : <u32>a;
}

/** Cuts the input bytes [start, end) (offsets from inputPtr()); returns the number of chunks written. */
export function scan(start: u32, end: u32, eof: i32): u32 {
  const base = inputPtr();
  let pos = start;
  let count: u32 = 0;
  while (count < OUT_CAPACITY) {
    const avail = end - pos;
    if (avail == 0 || (avail < maxSize && eof == 0)) break;
    const length = cut(base + pos, avail);
    store<u32>(OUT_LENGTHS + ((<usize>count) << 2), length);
    store<u64>(OUT_HASHES + ((<usize>count) << 3), found);
    pos += length;
    count++;
  }
  return count;
}
