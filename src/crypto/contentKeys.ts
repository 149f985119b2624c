// The two keys derived from a repository's content key (keyMaterial.ts), each for one job, so
// that neither output says anything about the other: the key of block addresses and the key of
// the FastCDC gear table. BLAKE3's derive-key mode with a fixed context string per job.
import { blakeHash } from '../core/address.js';

export function addressKey(contentKey: Buffer): Buffer {
  return blakeHash().Blake3Hasher.deriveKey('dedupfs 2026-11 block address', contentKey);
}

export function gearKey(contentKey: Buffer): Buffer {
  return blakeHash().Blake3Hasher.deriveKey('dedupfs 2026-11 fastcdc gear table', contentKey);
}
