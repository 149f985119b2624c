// The keyring's seal of approval. Anyone who can write the repository can write keys.json; an
// entry slipped in with the attacker's own public key would receive the next rotation's keys.
// So the list of entries (id, kind, public key) carries an HMAC-SHA256 under a key derived
// from the newest generation's private half, which only full keys hold: every operation that
// trusts the list (add, remove, rotate, and opening with a full key) checks it first. A removed
// full key could still forge it until the next rotation, which is why revoking is remove and
// rotate in one write (removeKey's `rotate`).
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { DedupfsError } from '../core/errors.js';
import type { KeyEntry } from './keyringFile.js';
import { currentGeneration, requireFull, type KeyMaterial } from './keyMaterial.js';

function macKey(material: KeyMaterial): Buffer {
  requireFull(material, 'change the keyring');
  return Buffer.from(hkdfSync('sha256', currentGeneration(material).privateKey!, Buffer.alloc(0), 'dedupfs keyring mac v1', 32));
}

export function keyringMac(material: KeyMaterial, entries: KeyEntry[]): string {
  const h = createHmac('sha256', macKey(material));
  for (const e of entries) h.update(`${e.id} ${e.kind} ${e.publicKey}\n`);
  return h.digest('base64');
}

/** Throws REPO_DAMAGED when the entry list is not the one a full key last wrote. */
export function verifyKeyringMac(material: KeyMaterial, entries: KeyEntry[], mac: string, file: string): void {
  const want = Buffer.from(keyringMac(material, entries), 'base64');
  const got = Buffer.from(mac, 'base64');
  if (got.length !== want.length || !timingSafeEqual(got, want)) {
    throw new DedupfsError('REPO_DAMAGED', `keyring ${file} has been changed by something other than dedupfs key`, {
      hint: 'an entry was added, removed or relabelled outside dedupfs: restore keys.json from a trusted copy',
      data: { path: file },
    });
  }
}
