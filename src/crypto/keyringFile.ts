// The keyring: one file (REPO/keys.json) listing every key of a repository, one
// entry per password. It is one file, not one per key, so that a rotation (which re-grants
// every key at once) is a single atomic replacement: a writer killed at any point leaves the
// old key set or the new one, never a mix and never neither. Written temp + fsync + rename +
// fsync of the folder, owner-only. Concurrent key operations must hold the repository's
// exclusive lock (the caller's job); readers need no lock since a rename is atomic. Under that
// lock any other temp file is a killed writer's leftover, removed after each write.
// A keyring kept elsewhere (an object in a bucket: src/repo/bucketKeyring.ts) is a KeyringPlace
// with the same promise: a write replaces the whole keyring at once or not at all.
import { link, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { DedupfsError, ioError } from '../core/errors.js';
import { fsyncDir } from '../core/fsyncDir.js';
import type { KeyKind } from './keyMaterial.js';
import type { WrappedSecret } from './passwordWrap.js';

export interface KeyEntry {
  /** 16 hex digits. */
  id: string;
  kind: KeyKind;
  created: string;
  /** The entry's own X25519 public key (base64): grants are sealed to it. */
  publicKey: string;
  /** The entry's private key under its password. */
  wrapped: WrappedSecret;
  /** The key material this entry grants, sealed to publicKey (base64 envelope). */
  grant: string;
}

export interface Keyring {
  format: 1;
  keys: KeyEntry[];
  /** HMAC over the entries' ids, kinds and public keys, under a key only full keys hold (keyringMac.ts). */
  mac: string;
}

/** Where a keyring is kept: its text read and replaced whole (a folder's file, or an object in a bucket). */
export interface KeyringPlace {
  /** for messages: the file's path or the object's location */
  readonly name: string;
  read(): Promise<string>;
  /** replaces the keyring atomically; with `create`, EXISTS when there is one already */
  write(text: string, opts: { create?: boolean }): Promise<void>;
}

/** A keyring file (a path), or a KeyringPlace. */
export type KeyringAt = string | KeyringPlace;

/** `at` as a KeyringPlace: a path is a keyring file in a folder. */
export function keyringPlace(at: KeyringAt): KeyringPlace {
  if (typeof at !== 'string') return at;
  return { name: at, read: () => readFile(at, 'utf8').catch((err) => { throw ioError(err, 'keyring', at); }), write: (text, opts) => writeKeyringFile(at, text, opts) };
}

function damaged(file: string, why: string): DedupfsError {
  return new DedupfsError('REPO_DAMAGED', `keyring ${file} is damaged: ${why}`, {
    hint: 'restore keys.json from a copy of the repository; without a key nothing in it can be read',
    data: { path: file },
  });
}

function validEntry(e: Partial<KeyEntry>): boolean {
  return typeof e?.id === 'string' && /^[0-9a-f]{16}$/.test(e.id) && (e.kind === 'full' || e.kind === 'write-only')
    && typeof e.created === 'string' && typeof e.publicKey === 'string' && typeof e.grant === 'string'
    && typeof e.wrapped?.sealed === 'string' && typeof e.wrapped?.kdf?.salt === 'string';
}

export async function readKeyring(at: KeyringAt): Promise<Keyring> {
  const place = keyringPlace(at);
  const file = place.name;
  const text = await place.read();
  let ring: Keyring;
  try {
    ring = JSON.parse(text);
  } catch {
    throw damaged(file, 'not JSON');
  }
  if (ring?.format !== 1 || !Array.isArray(ring.keys) || typeof ring.mac !== 'string') throw damaged(file, 'not a keyring');
  if (!ring.keys.every(validEntry)) throw damaged(file, 'an entry is malformed');
  return ring;
}

/** Replaces (or with `create`, creates: EXISTS when present) the keyring atomically. */
export async function writeKeyring(at: KeyringAt, ring: Keyring, opts: { create?: boolean } = {}): Promise<void> {
  await keyringPlace(at).write(JSON.stringify(ring, null, 1) + '\n', opts);
}

async function writeKeyringFile(file: string, text: string, opts: { create?: boolean }): Promise<void> {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (opts.create) {
      // link() fails when the target exists: no keyring is ever replaced by a new repository's.
      await link(tmp, file).catch((err) => {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new DedupfsError('EXISTS', `keyring ${file} already exists`, { hint: 'this repository already has keys: use dedupfs key add' });
        throw err;
      });
      await rm(tmp);
    } else {
      await rename(tmp, file);
    }
    await fsyncDir(dir);
    const leftover = new RegExp(`^\\.${basename(file).replace(/[.]/g, '\\.')}\\.[0-9a-f]{12}\\.tmp$`);
    for (const name of await readdir(dir)) if (leftover.test(name)) await rm(join(dir, name), { force: true });
  } catch (err) {
    await rm(tmp, { force: true });
    throw err instanceof DedupfsError ? err : ioError(err, 'keyring', file);
  }
}
