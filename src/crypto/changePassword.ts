// Changing the password of one key: the entry the old password opens gets its private key
// wrapped under the new one (new salt, current scrypt parameters); what it grants is unchanged.
// Any key may change its own password, a write-only one included.
import { rewrapKeyEntry } from './keyEntry.js';
import { writeKeyring } from './keyringFile.js';
import { unlockKeyring } from './openKeyring.js';
import { DEFAULT_SCRYPT, type ScryptParams } from './passwordWrap.js';
import type { KeyringAccess } from './changeKeyring.js';

/** Returns the id of the key whose password changed. */
export async function changePassword(access: KeyringAccess, opts: { newPassword: Buffer; scrypt?: ScryptParams }): Promise<string> {
  const { ring, entry, entryKey, material } = await unlockKeyring(access.file, access.password, { keyId: access.keyId });
  await access.guard?.opened(material);
  const rewrapped = await rewrapKeyEntry(entry, entryKey, opts.newPassword, opts.scrypt ?? DEFAULT_SCRYPT);
  await writeKeyring(access.file, { ...ring, keys: ring.keys.map((e) => (e.id === entry.id ? rewrapped : e)) });
  return entry.id;
}
