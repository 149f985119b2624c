// The keyring operations that need a full key: add a key, remove a key, rotate. Each opens the
// keyring with a full key's password, checks the entry list against its MAC, changes it and
// replaces the file in one atomic write (keyringFile.ts), so nothing is written when the
// password is wrong or the operation is refused.
import { DedupfsError } from '../core/errors.js';
import { createKeyEntry, sealGrant } from './keyEntry.js';
import { keyringPlace, writeKeyring, type KeyEntry, type KeyringAt } from './keyringFile.js';
import { keyringMac } from './keyringMac.js';
import { addGeneration, requireFull, type KeyKind, type KeyMaterial } from './keyMaterial.js';
import { unlockKeyring } from './openKeyring.js';
import { DEFAULT_SCRYPT, type ScryptParams } from './passwordWrap.js';

export interface KeyringAccess {
  file: KeyringAt;
  /** The password of a full key. */
  password: Buffer;
  keyId?: string;
  /** Told the material when the keyring is opened (it may refuse) and when a change is written: the wiring's rollback check. */
  guard?: { opened(material: KeyMaterial): Promise<void>; written(material: KeyMaterial): Promise<void> };
}

async function change(access: KeyringAccess, what: string, edit: (keys: KeyEntry[], material: KeyMaterial) => Promise<{ keys: KeyEntry[]; material: KeyMaterial }>): Promise<KeyMaterial> {
  const { ring, material } = await unlockKeyring(access.file, access.password, { keyId: access.keyId });
  requireFull(material, what);
  await access.guard?.opened(material);
  const next = await edit(ring.keys, material);
  await writeKeyring(access.file, { format: 1, keys: next.keys, mac: keyringMac(next.material, next.keys) });
  await access.guard?.written(next.material);
  return next.material;
}

/** Adds a key of `kind` under `newPassword`; returns its id. */
export async function addKey(access: KeyringAccess, opts: { kind: KeyKind; newPassword: Buffer; scrypt?: ScryptParams }): Promise<string> {
  let id = '';
  await change(access, 'add keys', async (keys, material) => {
    const entry = await createKeyEntry(opts.kind, opts.newPassword, material, opts.scrypt ?? DEFAULT_SCRYPT);
    id = entry.id;
    return { keys: [...keys, entry], material };
  });
  return id;
}

/** `keys` re-granted a new generation of `material`. */
function rotate(keys: KeyEntry[], material: KeyMaterial): { keys: KeyEntry[]; material: KeyMaterial } {
  const next = addGeneration(material);
  return { keys: keys.map((e) => ({ ...e, grant: sealGrant(e, next) })), material: next };
}

/**
 * Removes key `id`. Refuses (KEY) to remove the last full key. Removing stops the password from
 * opening the repository; it does not take back what the key's holder already has. With
 * `rotate`, the same keyring write also starts a new generation (rotateKeys) that the removed
 * key never sees: that is revocation, with no moment in between where the removed holder could
 * slip an entry of their own into the list.
 */
export async function removeKey(access: KeyringAccess, id: string, opts: { rotate?: boolean } = {}): Promise<void> {
  await change(access, 'remove keys', async (keys, material) => {
    const target = keys.find((e) => e.id === id);
    if (!target) throw new DedupfsError('NOT_FOUND', `no key ${id} in keyring ${keyringPlace(access.file).name}`, { hint: 'dedupfs key list shows the keys' });
    const rest = keys.filter((e) => e.id !== id);
    if (!rest.some((e) => e.kind === 'full')) {
      throw new DedupfsError('KEY', `key ${id} is the last full key: removing it would leave no key that can read the repository`, {
        hint: 'add another full key first (dedupfs key add)',
        data: { key: id },
      });
    }
    return opts.rotate ? rotate(rest, material) : { keys: rest, material };
  });
}

/**
 * Starts a new key generation: new data is sealed under it from the next session on. Every
 * key in the keyring is re-granted (full keys keep every older generation, so old data stays
 * readable); a key removed before the rotation never learns the new generation.
 */
export async function rotateKeys(access: KeyringAccess): Promise<KeyMaterial> {
  return change(access, 'rotate the repository keys', async (keys, material) => rotate(keys, material));
}
