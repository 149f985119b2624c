// What `dedupfs key list` shows: each key's id, kind, creation time and scrypt parameters.
// Needs no password: the keyring's entries carry nothing secret in the clear.
import { readKeyring, type KeyringAt } from './keyringFile.js';
import type { KeyKind } from './keyMaterial.js';

export interface KeyInfo {
  id: string;
  kind: KeyKind;
  created: string;
  scrypt: { N: number; r: number; p: number };
}

export async function listKeys(file: KeyringAt): Promise<KeyInfo[]> {
  const ring = await readKeyring(file);
  return ring.keys.map((e) => ({ id: e.id, kind: e.kind, created: e.created, scrypt: { N: e.wrapped.kdf.N, r: e.wrapped.kdf.r, p: e.wrapped.kdf.p } }));
}
