// A new repository's keys: fresh key material (keyMaterial.ts) and a keyring with one full key
// under `password`. Refuses (EXISTS) when a keyring is already there. A repository made to copy
// another's blocks as they are (copy --init, init --copy-chunker-params-from) takes that one's
// content key: the same keyed addresses and gear table; every other secret is its own.
import { createKeyEntry } from './keyEntry.js';
import { writeKeyring, type KeyringAt } from './keyringFile.js';
import { keyringMac } from './keyringMac.js';
import { createKeyMaterial, type KeyMaterial } from './keyMaterial.js';
import { DEFAULT_SCRYPT, type ScryptParams } from './passwordWrap.js';

export interface OpenedKeys {
  /** The id of the keyring entry the password opened. */
  keyId: string;
  material: KeyMaterial;
}

export async function createKeyring(file: KeyringAt, password: Buffer, opts: { scrypt?: ScryptParams; contentKey?: Buffer } = {}): Promise<OpenedKeys> {
  const material = createKeyMaterial(opts.contentKey);
  const entry = await createKeyEntry('full', password, material, opts.scrypt ?? DEFAULT_SCRYPT);
  await writeKeyring(file, { format: 1, keys: [entry], mac: keyringMac(material, [entry]) }, { create: true });
  return { keyId: entry.id, material };
}
