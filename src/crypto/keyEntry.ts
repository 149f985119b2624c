// One entry of the keyring: its own X25519 key pair, the private half wrapped under the
// entry's password (passwordWrap.ts), and a grant: the key material the entry may use, sealed
// to its public half. Because grants need only the public half, a full key can re-grant every
// entry (a rotation) without knowing the other passwords.
import { randomBytes } from 'node:crypto';
import { openEnvelope, readEnvelopeHeader, recordContext, SealKind } from './envelope.js';
import type { KeyEntry } from './keyringFile.js';
import { decodeKeyMaterial, encodeKeyMaterial, writeOnlyView, type KeyKind, type KeyMaterial } from './keyMaterial.js';
import { unwrapSecret, wrapSecret, type ScryptParams } from './passwordWrap.js';
import { SealSession } from './sealSession.js';
import { readerOpeningKey } from './sessionKeys.js';
import { generateX25519, x25519PublicKey } from './x25519.js';

function wrapContext(e: Pick<KeyEntry, 'id' | 'kind' | 'publicKey'>): Buffer {
  return Buffer.from(`dedupfs key ${e.id} ${e.kind} ${e.publicKey}`);
}

function grantContext(e: Pick<KeyEntry, 'id' | 'kind'>): Buffer {
  return recordContext({ type: 'key-grant', name: `${e.id} ${e.kind}` });
}

/** The grant of `entry`: `material` as the entry's kind may hold it, sealed to its public key. */
export function sealGrant(entry: Pick<KeyEntry, 'id' | 'kind' | 'publicKey'>, material: KeyMaterial): string {
  const granted = entry.kind === 'full' ? material : writeOnlyView(material);
  const session = new SealSession(Buffer.from(entry.publicKey, 'base64'), 0);
  return session.seal(SealKind.Grant, grantContext(entry), encodeKeyMaterial(granted)).toString('base64');
}

/** A new entry of `kind` for `password`, granted `material` (a full key's). */
export async function createKeyEntry(kind: KeyKind, password: Buffer, material: KeyMaterial, scrypt: ScryptParams): Promise<KeyEntry> {
  const pair = generateX25519();
  const base = { id: randomBytes(8).toString('hex'), kind, created: new Date().toISOString(), publicKey: pair.publicKey.toString('base64') };
  return { ...base, wrapped: await wrapSecret(password, pair.privateKey, wrapContext(base), scrypt), grant: sealGrant(base, material) };
}

/** `entry` with its private key wrapped under a new password (its grant unchanged). */
export async function rewrapKeyEntry(entry: KeyEntry, privateKey: Buffer, password: Buffer, scrypt: ScryptParams): Promise<KeyEntry> {
  return { ...entry, wrapped: await wrapSecret(password, privateKey, wrapContext(entry), scrypt) };
}

/**
 * The entry's private key when `password` is its password, else null. Throws RangeError when
 * the stored scrypt parameters are out of bounds.
 */
export async function unlockKeyEntry(entry: KeyEntry, password: Buffer): Promise<Buffer | null> {
  const privateKey = await unwrapSecret(password, entry.wrapped, wrapContext(entry));
  return privateKey && x25519PublicKey(privateKey).toString('base64') === entry.publicKey ? privateKey : null;
}

/** The key material granted to `entry`, or null when the grant does not open (damage). */
export function openGrant(entry: KeyEntry, privateKey: Buffer): KeyMaterial | null {
  const sealed = Buffer.from(entry.grant, 'base64');
  const header = readEnvelopeHeader(sealed);
  if (!header || header.kind !== SealKind.Grant) return null;
  const key = readerOpeningKey(privateKey, Buffer.from(entry.publicKey, 'base64'), header);
  const plain = key && openEnvelope(key, sealed, grantContext(entry));
  const material = plain && decodeKeyMaterial(plain);
  return material && material.kind === entry.kind ? material : null;
}
