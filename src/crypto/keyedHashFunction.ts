// Block addresses of an encrypted repository: keyed BLAKE3 of the uncompressed bytes under the
// repository's address key. Without the key, an address says nothing about the bytes (no one
// can check a guessed file against the repository); with it (every key of the repository, a
// write-only one included) equal bytes still get equal addresses, which is deduplication.
// Keyed BLAKE3 measured ~3 GB/s on 64 KiB blocks here, HMAC-SHA256 ~1.5 GB/s.
import { Blake3Hasher } from '@napi-rs/blake-hash';
import type { HashFunction } from '../core/address.js';
import { addressKey } from './contentKeys.js';

export function keyedHashFunction(contentKey: Buffer): HashFunction {
  const key = addressKey(contentKey);
  return (data) => Blake3Hasher.newKeyed(key).update(data).digestBuffer();
}
