// A secret wrapped under a password: scrypt (memory-hard, from node:crypto) turns the password
// and a random salt into a key-encryption key, and AES-256-GCM seals the secret under it. The
// scrypt parameters are stored with the wrapped secret, so they can be raised for new keys
// without touching old ones; they are bound as associated data, and a wrapped secret whose
// parameters are out of bounds is damage (a changed file must not make us allocate gigabytes).
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * N=2^17, r=8, p=1: 128 MiB and 0.35-0.5 s per try on this 2-core machine (measured by
 * test/crypto/measureCrypto.ts). Opening tries each key of the repository in turn.
 */
export const DEFAULT_SCRYPT: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

export interface WrappedSecret {
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  /** base64 of nonce(12) ciphertext tag(16) */
  sealed: string;
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** True when the parameters are ones this code will run: N a power of two >= 2^10, r 1..32, p 1..16, at most 1 GiB (128*N*r). */
export function scryptParamsValid(p: ScryptParams): boolean {
  return Number.isInteger(p.N) && p.N >= 2 ** 10 && (p.N & (p.N - 1)) === 0
    && Number.isInteger(p.r) && p.r >= 1 && p.r <= 32 && Number.isInteger(p.p) && p.p >= 1 && p.p <= 16
    && 128 * p.N * p.r <= 2 ** 30;
}

function deriveKek(password: Buffer, salt: Buffer, p: ScryptParams): Promise<Buffer> {
  // OpenSSL's bound: 128*r*(N+2) bytes of V plus 128*r*p of B.
  const maxmem = 128 * p.r * (p.N + 2) + 128 * p.r * p.p + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 32, { N: p.N, r: p.r, p: p.p, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function associated(aad: Buffer, kdf: WrappedSecret['kdf']): Buffer {
  return Buffer.concat([aad, Buffer.from(` scrypt N=${kdf.N} r=${kdf.r} p=${kdf.p} salt=${kdf.salt}`)]);
}

export async function wrapSecret(password: Buffer, secret: Buffer, aad: Buffer, params: ScryptParams): Promise<WrappedSecret> {
  if (!scryptParamsValid(params)) throw new RangeError(`scrypt parameters out of bounds: ${JSON.stringify(params)}`);
  const salt = randomBytes(32);
  const kdf = { name: 'scrypt' as const, N: params.N, r: params.r, p: params.p, salt: salt.toString('base64') };
  const kek = await deriveKek(password, salt, params);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associated(aad, kdf));
  const body = Buffer.concat([cipher.update(secret), cipher.final()]);
  return { kdf, sealed: Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64') };
}

/**
 * The secret, or null when the password (or the stored bytes) do not authenticate. Throws
 * RangeError when the stored parameters are out of bounds.
 */
export async function unwrapSecret(password: Buffer, wrapped: WrappedSecret, aad: Buffer): Promise<Buffer | null> {
  const { kdf } = wrapped;
  if (kdf?.name !== 'scrypt' || !scryptParamsValid(kdf)) throw new RangeError('scrypt parameters out of bounds');
  const sealed = Buffer.from(wrapped.sealed, 'base64');
  if (sealed.length < NONCE_BYTES + TAG_BYTES) return null;
  const kek = await deriveKek(password, Buffer.from(kdf.salt, 'base64'), kdf);
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, sealed.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(associated(aad, kdf));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}
