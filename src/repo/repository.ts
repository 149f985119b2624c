// Opens and creates repositories. A Repository bundles what one command needs: the config, the
// block store (packs + LMDB index), the catalog and the lock it holds. Lower layers receive
// these as arguments and never open a repository themselves. An encrypted repository's keys
// are opened (repoKeys.ts) before anything else happens, so a wrong password writes nothing.
//
// A repository is a folder or, for an 's3:' location, a bucket (bucketRepository.ts); either way
// it is reached through a Backend, and its derived state (index, catalog) lives in `layout`:
// the folder itself, or the bucket's local cache.
import { access, constants, mkdir, readdir, stat, open, rename } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DedupfsError, ioError } from '../core/errors.js';
import { hashFunction } from '../core/address.js';
import { fsyncDir } from '../core/fsyncDir.js';
import { describeUnwritable, diskNearlyFull, repoWriteError, unwritableReason, type Unwritable } from '../core/repoWriteError.js';
import { BlockIndex } from '../store/index/blockIndex.js';
import { BlockStore } from '../store/blockStore.js';
import { Catalog } from '../catalog/catalog.js';
// params.js, not the chunker's index: opening a repository needs none of the chunking code (start-up).
import type { ChunkerParams } from '../chunker/params.js';
import type { Backend } from '../backend/backend.js';
import { FolderBackend } from '../backend/folderBackend.js';
import { parseRepoLocation } from '../backend/parseRepoLocation.js';
import type { IndexObjects } from '../store/indexObjects.js';
import { folderSnapshotFiles, type SnapshotFiles } from '../catalog/snapshotFiles.js';
import { chunkerFromConfig, configText, createdNotice, isEncrypted, newConfig, readConfig, type InitOptions as ConfigInitOptions, type RepoConfig } from './config.js';
import type { PasswordSource, RepoKeys } from './repoKeys.js';
import { DIR_MODE, FILE_MODE, repoLayout, type RepoLayout } from '../core/layout.js';
import { withOwnerOnlyUmask } from '../core/ownerOnly.js';
// Not imported lazily: its modules are mostly the folder's too, and a lazy import split the
// bundle's shared parts into more files than `snapshots` should load (test/startup). The S3 SDK
// itself is loaded only for an 's3:' location (openBackend.ts).
import { initBucketRepository, openBucketRepository } from './bucketRepository.js';
import { acquireLock, type LockKind, type RepoLock } from './lock.js';

export interface Repository {
  /** the repository folder, or the bucket's 's3:' location: for messages */
  dir: string;
  /** where the derived state is: the repository folder, or the bucket's local cache */
  layout: RepoLayout;
  /** the one door to the repository's objects; a folder's counts stay at 0 where the store reads files itself */
  backend: Backend;
  /** true for a repository in a bucket */
  remote: boolean;
  config: RepoConfig;
  chunker: ChunkerParams;
  store: BlockStore;
  catalog: Catalog;
  /** where snapshot records are written and removed */
  snapshotFiles: SnapshotFiles;
  /** a bucket's index objects (indexObjects.ts); gc and repair write a full one */
  indexObjects?: IndexObjects;
  /** an encrypted repository's keys, as the password opened them */
  keys?: RepoKeys;
  close(): Promise<void>;
}

export interface InitOptions extends ConfigInitOptions {
  /** where the first password of an encrypted repository is read from (asked twice on a terminal) */
  password?: PasswordSource;
  /** an encrypted repository's: another encrypted repository's content key, so copy takes its blocks as they are (createKeyring) */
  contentKey?: Buffer;
}

export interface OpenOptions {
  /** the lock to hold while open; 'none' for readers that tolerate concurrent writers */
  lock: LockKind | 'none';
  /** what the lock file says holds it, e.g. "ingest" */
  command: string;
  /** create the repository when it does not exist (ingest: the default location, or --init) */
  create?: boolean;
  /** the choices a repository made by `create` gets; default: the defaults */
  init?: InitOptions;
  lockWaitMs?: number;
  /**
   * the command only reads (snapshots, ls, cat, stats, restore, mount, check): where the
   * repository cannot be written (read-only file system, full disk, another user's folder) it
   * goes on without a lock file, with the index opened read-only and the catalog built in
   * memory, and says so in one notice
   */
  readOnly?: boolean;
  /** the block store counts new blocks but writes none */
  dryRun?: boolean;
  onNotice?: (msg: string) => void;
  /** where the password of an encrypted repository comes from (repoKeys.ts) */
  password?: PasswordSource;
  /** keys already opened (a command that opens the repository twice asks for the password once) */
  keys?: RepoKeys;
  /** the command works with a write-only key (ingest, snapshots); any other refuses one with KEY */
  writeOnly?: boolean;
}

/**
 * A writer refuses to start with less free space than this: LMDB that runs out of space in the
 * middle of a commit prints it itself and the process dies of a rejection no caller is handed
 * (lmdb 3.5), so the clear message is given before any write instead. Measured on a 6 MiB
 * tmpfs: gc died so at 36-44 KiB free, ingest of 400 KB at 130-160 KiB.
 */
const WRITER_MIN_FREE = 1 << 20;

/** Creates a repository in `dir` (a folder, or an 's3:' location), which must be missing or empty. */
export async function initRepository(dir: string, opts: InitOptions = {}): Promise<RepoConfig> {
  const location = parseRepoLocation(dir);
  if (location.kind === 's3') return initBucketRepository(dir, opts);
  const root = resolve(dir);
  const layout = repoLayout(root);
  const existing = await stat(root).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw ioError(err, 'cannot create repository', root);
  });
  if (existing && !existing.isDirectory()) throw new DedupfsError('EXISTS', `cannot create repository ${root}: it is a file`, { hint: 'name a new folder with --repo DIR' });
  if (existing && await isRepository(layout)) {
    throw new DedupfsError('EXISTS', `${root} is already a dedupfs repository`, { hint: 'use it as it is, or name a new folder with --repo DIR' });
  }
  if (existing && (await readdir(root)).length > 0) {
    throw new DedupfsError('EXISTS', `cannot create repository in ${root}: the folder is not empty`, { hint: 'name a new or empty folder with --repo DIR' });
  }
  const config = newConfig(opts);
  // Before anything is created: a password that cannot be had leaves no folder behind.
  const crypto = isEncrypted(config) ? await import('../crypto/index.js') : null;
  const password = crypto && await crypto.readPassword({ ...opts.password, env: process.env, prompt: `new password for ${root}`, confirm: true });
  try {
    await mkdir(root, { recursive: true, mode: DIR_MODE });
    for (const d of [layout.packs, layout.packsTmp, layout.snapshots, layout.locks]) await mkdir(d, { recursive: true, mode: DIR_MODE });
    if (crypto && password) await crypto.createKeyring(layout.keys, password, { contentKey: opts.contentKey });
    // config.json is written last: it is what makes the folder a repository.
    const tmp = `${layout.config}.tmp`;
    const fh = await open(tmp, 'w', FILE_MODE);
    await fh.writeFile(configText(config));
    await fh.sync();
    await fh.close();
    await rename(tmp, layout.config);
    await fsyncDir(root);
  } catch (err) {
    throw ioError(err, 'cannot create repository', root);
  }
  return config;
}

async function isRepository(layout: RepoLayout): Promise<boolean> {
  return stat(layout.config).then((st) => st.isFile(), () => false);
}

export async function openRepository(dir: string, opts: OpenOptions): Promise<Repository> {
  if (parseRepoLocation(dir).kind === 's3') return openBucketRepository(dir, opts);
  const root = resolve(dir);
  const layout = repoLayout(root);
  const st = await stat(root).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw ioError(err, 'cannot open repository', root);
  });
  if (st && !st.isDirectory()) {
    throw new DedupfsError('NO_REPOSITORY', `${root} is a file, not a dedupfs repository`, { hint: 'name the repository folder with --repo DIR or DEDUPFS_REPO' });
  }
  const empty = st ? (await readdir(root)).length === 0 : true;
  if (empty) {
    if (!opts.create) {
      throw new DedupfsError('NO_REPOSITORY', `repository ${root} ${st ? 'is an empty folder' : 'does not exist'}`,
        { hint: `check the path (is its disk mounted?), or create it with 'dedupfs init --repo ${root}' or 'dedupfs ingest --init'` });
    }
    const made = await initRepository(root, opts.init);
    opts.onNotice?.(createdNotice(root, made));
  }
  const config = await readConfig(layout.config, root);
  // src/crypto is loaded only for an encrypted repository (start-up of every other command).
  const keys = isEncrypted(config) ? await (await import('./repoKeys.js')).unlockRepository(layout, config, opts) : undefined;
  // A reader that finds the repository unwritable goes on without writing anything; a writer
  // stops with one line saying why (src/core/repoWriteError.ts).
  let unwritable: Unwritable | null = null;
  const cannotWrite = (err: unknown): void => {
    const reason = unwritableReason(err, root);
    if (!reason) throw err;
    if (!opts.readOnly) throw repoWriteError(root, reason, err);
    if (!unwritable) opts.onNotice?.(`repository ${root} cannot be written (${describeUnwritable(reason)}): reading it without a lock`);
    unwritable ??= reason;
  };
  if (opts.readOnly) await access(root, constants.W_OK).catch(cannotWrite);
  else if (!opts.dryRun && diskNearlyFull(root, WRITER_MIN_FREE)) throw repoWriteError(root, 'ENOSPC');
  let lock: RepoLock | null = null;
  if (opts.lock !== 'none' && !unwritable) {
    lock = await acquireLock(root, { kind: opts.lock, command: opts.command, waitMs: opts.lockWaitMs, onWarning: opts.onNotice }).catch((err) => {
      cannotWrite(err);
      return null;
    });
  }
  try {
    const catalog = await openCatalog(layout, unwritable !== null, cannotWrite, opts.onNotice, keys);
    let store: BlockStore | null = null;
    return {
      dir: root, layout, config, chunker: keys ? { ...chunkerFromConfig(config), gear: keys.gear } : chunkerFromConfig(config), catalog, keys,
      backend: new FolderBackend(root), remote: false, snapshotFiles: folderSnapshotFiles(layout.snapshots, keys?.snapshots),
      // Opened on first use, LMDB index included: `snapshots` needs neither (start-up time).
      get store() {
        if (store) return store;
        const index = openIndex(layout.index, unwritable !== null, cannotWrite);
        return (store = new BlockStore({
          layout, index, hash: keys?.hash ?? hashFunction(config.hash), sealing: keys?.blocks, compression: config.compression, dryRun: opts.dryRun, owner: lock?.id,
        }));
      },
      async close() {
        await store?.close();
        catalog.close();
        await store?.index.close();
        await lock?.release();
      },
    };
  } catch (err) {
    await lock?.release();
    throw err;
  }
}

// The index read-write, or read-only when the repository cannot be written (and the caller
// only reads: cannotWrite throws for a writer).
function openIndex(path: string, readOnly: boolean, cannotWrite: (err: unknown) => void): BlockIndex {
  if (!readOnly) {
    try {
      return withOwnerOnlyUmask(() => BlockIndex.open(path));
    } catch (err) {
      cannotWrite(err);
    }
  }
  return BlockIndex.open(path, { readOnly: true });
}

async function openCatalog(layout: RepoLayout, inMemory: boolean, cannotWrite: (err: unknown) => void, onNotice?: (msg: string) => void, keys?: RepoKeys): Promise<Catalog> {
  const seal = keys?.snapshots;
  if (!inMemory) {
    try {
      return await withOwnerOnlyUmask(() => Catalog.open(layout.catalog, layout.snapshots, { onNotice, seal }));
    } catch (err) {
      cannotWrite(err);
    }
  }
  return Catalog.inMemory(layout.snapshots, seal);
}
