// X25519 with raw 32-byte keys. node:crypto speaks KeyObjects (DER or JWK); the repository
// stores keys as raw bytes, so this module is the one place that converts between the two.
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';

export const X25519_BYTES = 32;

// The fixed DER prefixes of an X25519 private key (PKCS#8) and public key (SPKI), RFC 8410.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export interface X25519Pair {
  publicKey: Buffer;
  privateKey: Buffer;
}

export function generateX25519(): X25519Pair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { publicKey: rawPublic(publicKey), privateKey: Buffer.from(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length)) };
}

/** The public half of a raw private key. */
export function x25519PublicKey(privateKey: Buffer): Buffer {
  return rawPublic(createPublicKey(privateObject(privateKey)));
}

/**
 * The shared secret of `privateKey` and `publicKey`, or null when there is none: a public key
 * of small order (all-zero result) or of the wrong length, which only damage or an attacker
 * puts in a sealed object.
 */
export function x25519(privateKey: Buffer, publicKey: Buffer): Buffer | null {
  if (privateKey.length !== X25519_BYTES || publicKey.length !== X25519_BYTES) return null;
  try {
    const shared = diffieHellman({ privateKey: privateObject(privateKey), publicKey: createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }) });
    return shared.every((b) => b === 0) ? null : shared;
  } catch {
    return null;
  }
}

function privateObject(raw: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

function rawPublic(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length));
}
