// src/crypto owns sealing: the repository's keys (keyMaterial.ts), the keyring file that holds
// them under passwords (keyringFile.ts and the operations on it), the envelope every block and
// record is sealed in (envelope.ts, sealer.ts, opener.ts), keyed block addresses and the keyed
// FastCDC gear table, and reading passwords. It knows nothing of packs, the index or snapshots:
// callers say what a sealed thing is (a block's address and type, a record's type and name) and
// that is bound into the seal. Invariants: no (key, nonce) pair is ever used twice (one fresh
// key per writer session, counter nonces); nothing that fails to authenticate is returned; a
// write-only key never holds a private key; the keyring is only ever replaced whole.
// docs/ENCRYPTION.md describes the design and what it hides.
export { changePassword } from './changePassword.js';
export { addKey, removeKey, rotateKeys } from './changeKeyring.js';
export type { KeyringAccess } from './changeKeyring.js';
export { keyringPlace } from './keyringFile.js';
export type { KeyringAt, KeyringPlace } from './keyringFile.js';
export { createKeyring } from './createKeyring.js';
export type { OpenedKeys } from './createKeyring.js';
export { deriveGearTable } from './deriveGearTable.js';
export { SEAL_OVERHEAD } from './envelope.js';
export type { RecordName } from './envelope.js';
export { keyedHashFunction } from './keyedHashFunction.js';
export { currentGeneration, decodeKeyMaterial, encodeKeyMaterial, writeOnlyView } from './keyMaterial.js';
export type { Generation, KeyKind, KeyMaterial } from './keyMaterial.js';
export { listKeys } from './listKeys.js';
export type { KeyInfo } from './listKeys.js';
export { openKeyring } from './openKeyring.js';
export { Opener } from './opener.js';
export { BOX_OVERHEAD, packSealing } from './packSealing.js';
export type { PackSealing } from './packSealing.js';
export { DEFAULT_SCRYPT } from './passwordWrap.js';
export type { ScryptParams } from './passwordWrap.js';
export { readPassword } from './readPassword.js';
export type { PasswordOptions } from './readPassword.js';
export { Sealer } from './sealer.js';
export type { Audience } from './sealer.js';
