// Block addresses of an encrypted repository: keyed BLAKE3 of the uncompressed bytes under the
// repository's address key. Without the key, an address says nothing about the bytes (no one
// can check a guessed file against the repository); with it (every key of the repository, a
// write-only one included) equal bytes still get equal addresses, which is deduplication.
// Keyed BLAKE3 measured ~3 GB/s on 64 KiB blocks here, HMAC-SHA256 ~1.5 GB/s.
import { blakeHash, type HashFunction } from '../core/address.js';
import { addressKey } from './contentKeys.js';

export function keyedHashFunction(contentKey: Buffer): HashFunction {
  // One keyed hasher, reset for each block (the key stays): ~1.5x faster on 64 KiB blocks here
  // than a new one per block, as fast as unkeyed BLAKE3. Safe: a call runs start to end on its
  // thread, and each thread (worker) that hashes makes its own function.
  const hasher = blakeHash().Blake3Hasher.newKeyed(addressKey(contentKey));
  return (data) => {
    hasher.reset();
    return hasher.update(data).digestBuffer();
  };
}
