// The keyring operations of `dedupfs key` on a repository (a folder, or a bucket whose keyring is
// the object keys.json: bucketKeyring.ts): list (no password, no lock), and add,
// remove, change of password and rotation, each under the repository's exclusive lock (so no
// other key operation, and no command that reads the keyring while it is replaced, runs
// beside it), refused when keys.json is older than one this machine has seen (keyringSeen.ts).
// Passwords are read before the lock is taken; src/crypto checks the old password
// before anything is written, and replaces keys.json in one atomic write.
import { resolve } from 'node:path';
import { DedupfsError } from '../core/errors.js';
import { acquireBackendLock, type BackendLock } from '../backend/backendLock.js';
import { openBackend } from '../backend/openBackend.js';
import { parseRepoLocation } from '../backend/parseRepoLocation.js';
import { addKey, changePassword, listKeys, readPassword, removeKey, rotateKeys, type KeyInfo, type KeyKind, type KeyringAccess, type KeyringAt } from '../crypto/index.js';
import { bucketKeyring } from './bucketKeyring.js';
import { readBucketConfig } from './bucketRepository.js';
import { isEncrypted, readConfig, type RepoConfig } from './config.js';
import { repoLayout } from '../core/layout.js';
import { acquireLock } from './lock.js';
import { keyringGuard } from './keyringSeen.js';
import type { PasswordSource } from './repoKeys.js';

export interface KeyChangeOptions {
  /** where the password of a key of the repository comes from */
  password?: PasswordSource;
  lockWaitMs?: number;
  onNotice?: (msg: string) => void;
}

export type KeyChange =
  | { action: 'add'; kind: KeyKind; newPasswordFile?: string }
  | { action: 'remove'; id: string; rotate?: boolean }
  | { action: 'passwd'; newPasswordFile?: string }
  | { action: 'rotate' };

/** What a change did: the key it added, removed or changed (none for a rotation), and the generation a rotation started. */
export interface KeyChangeResult { action: KeyChange['action']; key?: string; kind?: KeyKind; rotated?: boolean; generation?: number }

/** The keyring of the encrypted repository at `dir` (a folder or a bucket), and how to lock it exclusively. */
interface KeyringHome {
  where: string;
  id: string;
  keyring: KeyringAt;
  lock(command: string, opts: KeyChangeOptions): Promise<{ release(): Promise<void> }>;
  close(): Promise<void>;
}

async function keyringOf(dir: string): Promise<KeyringHome> {
  if (parseRepoLocation(dir).kind === 's3') return bucketKeyringOf(dir);
  const root = resolve(dir);
  const layout = repoLayout(root);
  const config = await readConfig(layout.config, root);
  refusePlain(config, root);
  return {
    where: root, id: config.id, keyring: layout.keys, close: async () => undefined,
    lock: (command, opts) => acquireLock(root, { kind: 'exclusive', command, waitMs: opts.lockWaitMs, onWarning: opts.onNotice }),
  };
}

// In a bucket the lock is a lock object (no conditional PUT needed), and the keyring's writes
// check it is still held (bucketKeyring.ts).
async function bucketKeyringOf(dir: string): Promise<KeyringHome> {
  const backend = await openBackend(dir);
  try {
    const config = await readBucketConfig(backend, {});
    refusePlain(config, backend.location);
    let held: BackendLock | undefined;
    return {
      where: backend.location, id: config.id, keyring: bucketKeyring(backend, () => held?.assertHeld()), close: () => backend.close(),
      lock: async (command, opts) => (held = await acquireBackendLock(backend, { kind: 'exclusive', command, waitMs: opts.lockWaitMs, onWarning: opts.onNotice })),
    };
  } catch (err) {
    await backend.close();
    throw err;
  }
}

function refusePlain(config: RepoConfig, where: string): void {
  if (!isEncrypted(config)) {
    throw new DedupfsError('USAGE', `repository ${where} is not encrypted: it has no keys`, {
      hint: "create an encrypted repository with 'dedupfs init --encryption' (docs/ENCRYPTION.md)",
    });
  }
}

/** The keys of the repository in `dir`: ids, kinds, creation times, scrypt parameters. */
export async function listRepoKeys(dir: string): Promise<KeyInfo[]> {
  const home = await keyringOf(dir);
  try {
    return await listKeys(home.keyring);
  } finally {
    await home.close();
  }
}

/** Carries out `change` on the keyring of the repository in `dir`. */
export async function changeRepoKeys(dir: string, change: KeyChange, opts: KeyChangeOptions = {}): Promise<KeyChangeResult> {
  const home = await keyringOf(dir);
  try {
    const password = await readPassword({ ...opts.password, env: process.env, prompt: `password for ${home.where}` });
    const newPassword = change.action === 'add' || change.action === 'passwd'
      ? await readPassword({ file: change.newPasswordFile, prompt: change.action === 'add' ? `password of the new ${change.kind} key` : 'new password', confirm: true })
      : null;
    const lock = await home.lock(`key ${change.action}`, opts);
    try {
      // Read under the lock: a key command that ran meanwhile (another host's) is seen, not undone.
      const access: KeyringAccess = { file: home.keyring, password, guard: await keyringGuard(home.id, home.keyring) };
      switch (change.action) {
        case 'add':
          return { action: 'add', kind: change.kind, key: await addKey(access, { kind: change.kind, newPassword: newPassword! }) };
        case 'remove': {
          await removeKey(access, change.id, { rotate: change.rotate });
          return { action: 'remove', key: change.id, rotated: !!change.rotate };
        }
        case 'passwd':
          return { action: 'passwd', key: await changePassword(access, { newPassword: newPassword! }) };
        case 'rotate': {
          const material = await rotateKeys(access);
          return { action: 'rotate', generation: material.generations.length };
        }
      }
    } finally {
      await lock.release();
    }
  } finally {
    await home.close();
  }
}
