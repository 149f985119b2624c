// An encrypted repository's keys, opened with the password its user gives (readPassword: a file,
// a command, or the terminal; never an argument), and what they make of the repository's parts:
// keyed addresses, the keyed gear table, sealed snapshot files. A wrong password is
// WRONG_PASSWORD (exit 12), found before anything is written: openRepository calls this before
// it takes a lock. The local catalog of an encrypted repository holds plaintext (paths, hosts,
// tags), so it lives on this machine, owner-only, not in the repository's folder, beside what
// the machine remembers of the keyring (keyringSeen.ts: a keyring rolled back is refused).
import { join } from 'node:path';
import { DedupfsError } from '../core/errors.js';
import type { HashFunction } from '../core/address.js';
import { deriveGearTable, encodeKeyMaterial, keyedHashFunction, Opener, openKeyring, packSealing, readPassword, Sealer, writeOnlyView, type KeyMaterial, type KeyringAt, type OpenedKeys } from '../crypto/index.js';
import type { BlockSealing } from '../store/blockStore.js';
import { sealedPacks } from '../store/pack/sealedFormat.js';
import { sealedSnapshots } from '../catalog/sealedSnapshot.js';
import type { SnapshotSeal } from '../catalog/snapshotRecord.js';
import { hasSealedPacks, type RepoConfig } from './config.js';
import { keyringGuard } from './keyringSeen.js';
import { localRepoDir } from './localRepoDir.js';
import type { RepoLayout } from '../core/layout.js';

/** --password-file and --password-command; DEDUPFS_PASSWORD_FILE and DEDUPFS_PASSWORD_COMMAND otherwise. */
export interface PasswordSource { file?: string; command?: string }

/** The keys a password opened, and the parts of the repository that depend on them. */
export interface RepoKeys extends OpenedKeys {
  hash: HashFunction;
  gear: BigUint64Array;
  blocks: BlockSealing;
  snapshots: SnapshotSeal;
}

export interface UnlockOptions {
  /** the command that opens the repository, for the refusal of a write-only key */
  command: string;
  password?: PasswordSource;
  /** keys already opened (the password is not asked again) */
  keys?: RepoKeys;
  /** the command works with a write-only key */
  writeOnly?: boolean;
}

/** Where the keyring is and what to call the repository in the prompt: a bucket's (bucketKeyring.ts); default the folder's keys.json. */
export interface KeyringLocation { keyring: KeyringAt; where: string }

/**
 * The keys of the encrypted repository at `layout`: the password read from `opts.password`
 * (else the environment, else the terminal) must open a key of keys.json, a write-only one
 * only when `opts.writeOnly`, and not older than the newest this machine has seen (keyringSeen.ts).
 * Points layout.catalog at this machine's catalog for the key, owner-only, one per key (what a
 * full key read is never shown to a write-only one).
 */
export async function unlockRepository(layout: RepoLayout, config: RepoConfig, opts: UnlockOptions, at: KeyringLocation = { keyring: layout.keys, where: layout.root }): Promise<RepoKeys> {
  let keys = opts.keys;
  if (!keys) {
    const opened = await openKeyring(at.keyring, await readPassword({ ...opts.password, env: process.env, prompt: `password for ${at.where}` }));
    await (await keyringGuard(config.id, at.keyring)).opened(opened.material);
    keys = repoKeys(opened, hasSealedPacks(config));
  }
  if (!opts.writeOnly) refuseWriteOnly(keys.material, opts.command);
  layout.catalog = join(await localRepoDir(config.id), `catalog-${keys.keyId}.db`);
  return keys;
}

function repoKeys(opened: OpenedKeys, sealPacks: boolean): RepoKeys {
  const { material } = opened;
  const opener = new Opener(material);
  const packs = sealPacks ? packSealing(writeOnlyView(material)) : null;
  const blocks: BlockSealing = {
    workerKeys: encodeKeyMaterial(writeOnlyView(material)),
    newSealer: () => {
      const sealer = new Sealer(material);
      return (address, type, stored, into) => sealer.sealBlock(address, type, stored, into);
    },
    open: (address, type, stored, header) => opener.openBlock(address, type, stored, header),
    ...(packs ? { packFormat: sealedPacks(packs), indexSealing: packs } : {}),
  };
  return { ...opened, hash: keyedHashFunction(material.contentKey), gear: deriveGearTable(material.contentKey), blocks, snapshots: sealedSnapshots(material) };
}

/** KEY unless `material` may run `command`: a write-only key runs only the commands that write (ingest) or list (snapshots). */
function refuseWriteOnly(material: KeyMaterial, command: string): void {
  if (material.kind === 'full') return;
  throw new DedupfsError('KEY', `a write-only key cannot ${command}: it opens no stored block and no snapshot content`, {
    hint: 'give the password of a full key (dedupfs key list shows the kinds); a write-only key can ingest and list snapshots',
  });
}
