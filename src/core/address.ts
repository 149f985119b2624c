// Block addresses (Venti's "scores"): the hash of a block's uncompressed bytes. A repository
// fixes its hash function at creation (config.hash); every area names blocks by Address.
import { createHash } from 'node:crypto';
import { lazyRequire } from './lazyRequire.js';

/** The BLAKE3 addon, loaded on first use (start-up: lazyRequire.ts); src/crypto keys it. */
export const blakeHash = lazyRequire<typeof import('@napi-rs/blake-hash')>('@napi-rs/blake-hash');

export type Address = Buffer; // 32 bytes
export type HashName = 'blake3' | 'sha256';
export const ADDRESS_BYTES = 32;
export const HASH_NAMES: readonly HashName[] = ['blake3', 'sha256'];

export type HashFunction = (data: Buffer) => Address;

export function hashFunction(name: HashName): HashFunction {
  if (name === 'blake3') {
    const { blake3 } = blakeHash();
    return (data) => blake3(data);
  }
  return (data) => createHash('sha256').update(data).digest();
}

export function addressToHex(addr: Address): string {
  return addr.toString('hex');
}

export function addressFromHex(hex: string): Address {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`malformed block address ${JSON.stringify(hex)}`);
  return Buffer.from(hex, 'hex');
}
