// An encrypted repository's keys, opened with the password its user gives (readPassword: a file,
// a command, or the terminal; never an argument), and what they make of the repository's parts:
// keyed addresses, the keyed gear table, sealed snapshot files. A wrong password is
// WRONG_PASSWORD (exit 12), found before anything is written: openRepository calls this before
// it takes a lock. The local catalog of an encrypted repository holds plaintext (paths, hosts,
// tags), so it lives on this machine, owner-only, not in the repository's folder.
import { join } from 'node:path';
import { homedir } from 'node:os';
import { DedupfsError } from '../core/errors.js';
import type { HashFunction } from '../core/address.js';
import { deriveGearTable, keyedHashFunction, openKeyring, readPassword, type KeyMaterial, type OpenedKeys } from '../crypto/index.js';
import { sealedSnapshots } from '../catalog/sealedSnapshot.js';
import type { SnapshotSeal } from '../catalog/snapshotRecord.js';

/** --password-file and --password-command; DEDUPFS_PASSWORD_FILE and DEDUPFS_PASSWORD_COMMAND otherwise. */
export interface PasswordSource { file?: string; command?: string }

/** The keys a password opened, and the parts of the repository that depend on them. */
export interface RepoKeys extends OpenedKeys {
  hash: HashFunction;
  gear: BigUint64Array;
  snapshots: SnapshotSeal;
}

/** Reads the password from `source` (else the environment, else the terminal) and opens the keyring `file`. */
export async function unlockRepository(file: string, root: string, source: PasswordSource = {}): Promise<RepoKeys> {
  const password = await readPassword({ ...source, env: process.env, prompt: `password for ${root}` });
  return repoKeys(await openKeyring(file, password));
}

export function repoKeys(opened: OpenedKeys): RepoKeys {
  const { contentKey } = opened.material;
  return { ...opened, hash: keyedHashFunction(contentKey), gear: deriveGearTable(contentKey), snapshots: sealedSnapshots(opened.material) };
}

/** KEY unless `material` may run `command`: a write-only key runs only the commands that write (ingest) or list (snapshots). */
export function refuseWriteOnly(material: KeyMaterial, command: string): void {
  if (material.kind === 'full') return;
  throw new DedupfsError('KEY', `a write-only key cannot ${command}: it opens no stored block and no snapshot content`, {
    hint: 'give the password of a full key (dedupfs key list shows the kinds); a write-only key can ingest and list snapshots',
  });
}

/** Where this machine keeps the catalog of the encrypted repository `repoId`: $XDG_CACHE_HOME/dedupfs/ID (default ~/.cache). */
export function localStateDir(repoId: string): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dedupfs', repoId);
}
