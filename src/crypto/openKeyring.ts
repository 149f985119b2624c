// Opening a repository's keys with a password: each entry of the keyring is tried in turn
// (each try costs one scrypt), or only the one named by keyId. No entry opening is
// WRONG_PASSWORD (exit 12), before anything is written. An entry whose password is right but
// whose grant does not open, or a keyring whose entry list a full key did not write, is damage.
import { DedupfsError } from '../core/errors.js';
import { openGrant, unlockKeyEntry } from './keyEntry.js';
import { keyringPlace, readKeyring, type KeyEntry, type Keyring, type KeyringAt } from './keyringFile.js';
import { verifyKeyringMac } from './keyringMac.js';
import type { OpenedKeys } from './createKeyring.js';

export interface UnlockedKeyring extends OpenedKeys {
  ring: Keyring;
  entry: KeyEntry;
  /** The entry's own private key (to rewrap it under a new password). */
  entryKey: Buffer;
}

export async function unlockKeyring(at: KeyringAt, password: Buffer, opts: { keyId?: string } = {}): Promise<UnlockedKeyring> {
  const ring = await readKeyring(at);
  const file = keyringPlace(at).name;
  const candidates = opts.keyId ? ring.keys.filter((e) => e.id === opts.keyId) : ring.keys;
  if (opts.keyId && candidates.length === 0) {
    throw new DedupfsError('NOT_FOUND', `no key ${opts.keyId} in keyring ${file}`, { hint: 'dedupfs key list shows the keys' });
  }
  for (const entry of candidates) {
    let entryKey: Buffer | null;
    try {
      entryKey = await unlockKeyEntry(entry, password);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      throw new DedupfsError('REPO_DAMAGED', `keyring ${file} is damaged: key ${entry.id} has impossible scrypt parameters`, { data: { path: file, key: entry.id } });
    }
    if (!entryKey) continue;
    const material = openGrant(entry, entryKey);
    if (!material) {
      throw new DedupfsError('REPO_DAMAGED', `keyring ${file} is damaged: the grant of key ${entry.id} does not open`, {
        hint: 'open the repository with another key and remove this one, or restore keys.json from a copy',
        data: { path: file, key: entry.id },
      });
    }
    if (material.kind === 'full') verifyKeyringMac(material, ring.keys, ring.mac, file);
    return { ring, entry, entryKey, keyId: entry.id, material };
  }
  throw new DedupfsError('WRONG_PASSWORD', `wrong password: no key of the repository opens with it`, {
    hint: 'check the password file or command (DEDUPFS_PASSWORD_FILE, --password-file); dedupfs key list shows the keys',
    data: { path: file },
  });
}

/** The key material `password` opens; WRONG_PASSWORD when it opens none. */
export async function openKeyring(file: KeyringAt, password: Buffer, opts: { keyId?: string } = {}): Promise<OpenedKeys> {
  const { keyId, material } = await unlockKeyring(file, password, opts);
  return { keyId, material };
}
