// The keyring operations of `dedupfs key` on a repository: list (no password, no lock), and add,
// remove, change of password and rotation, each under the repository's exclusive lock (so no
// other key operation, and no command that reads the keyring while it is replaced, runs
// beside it), refused when keys.json is older than one this machine has seen (keyringSeen.ts).
// Passwords are read before the lock is taken; src/crypto checks the old password
// before anything is written, and replaces keys.json in one atomic write.
import { resolve } from 'node:path';
import { DedupfsError } from '../core/errors.js';
import { addKey, changePassword, listKeys, readPassword, removeKey, rotateKeys, type KeyInfo, type KeyKind, type KeyringAccess } from '../crypto/index.js';
import { isEncrypted, readConfig } from './config.js';
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

async function keyringOf(dir: string): Promise<{ root: string; file: string; id: string }> {
  const root = resolve(dir);
  const layout = repoLayout(root);
  const config = await readConfig(layout.config, root);
  if (!isEncrypted(config)) {
    throw new DedupfsError('USAGE', `repository ${root} is not encrypted: it has no keys`, {
      hint: "create an encrypted repository with 'dedupfs init --encryption' (docs/ENCRYPTION.md)",
    });
  }
  return { root, file: layout.keys, id: config.id };
}

/** The keys of the repository in `dir`: ids, kinds, creation times, scrypt parameters. */
export async function listRepoKeys(dir: string): Promise<KeyInfo[]> {
  return listKeys((await keyringOf(dir)).file);
}

/** Carries out `change` on the keyring of the repository in `dir`. */
export async function changeRepoKeys(dir: string, change: KeyChange, opts: KeyChangeOptions = {}): Promise<KeyChangeResult> {
  const { root, file, id } = await keyringOf(dir);
  const password = await readPassword({ ...opts.password, env: process.env, prompt: `password for ${root}` });
  const newPassword = change.action === 'add' || change.action === 'passwd'
    ? await readPassword({ file: change.newPasswordFile, prompt: change.action === 'add' ? `password of the new ${change.kind} key` : 'new password', confirm: true })
    : null;
  const lock = await acquireLock(root, { kind: 'exclusive', command: `key ${change.action}`, waitMs: opts.lockWaitMs, onWarning: opts.onNotice });
  try {
    const access: KeyringAccess = { file, password, guard: await keyringGuard(id, file) };
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
}
