// Reproducible randomness for chunker tests: a seeded number generator for sizes and a fast
// seeded byte stream (AES-128-CTR keystream), so a failing case can be rerun from its seed.
import { createCipheriv, createHash } from 'node:crypto';

/** mulberry32: uniform floats in [0, 1) from a 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `size` pseudo-random bytes determined by `seed`. */
export function pseudoRandomBytes(seed: number | string, size: number): Buffer {
  const key = createHash('sha256').update(String(seed)).digest();
  return createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32)).update(Buffer.alloc(size));
}

/**
 * Yields `bytes` in pieces of random length 1..maxPiece, each copied into one scratch buffer that
 * is overwritten for the next piece, as a stream reading into a reused buffer would do.
 */
export async function* reusedBufferPieces(bytes: Uint8Array, maxPiece: number, random: () => number): AsyncGenerator<Uint8Array> {
  const scratch = Buffer.alloc(maxPiece);
  for (let done = 0; done < bytes.length;) {
    const n = Math.min(bytes.length - done, 1 + Math.floor(random() * maxPiece));
    scratch.set(bytes.subarray(done, done + n));
    done += n;
    yield scratch.subarray(0, n);
  }
}
