// Opens and creates repositories in an S3 bucket ('s3:URL/BUCKET[/PREFIX]'). The bucket holds
// config.json, packs/, index/ objects, snapshots/ and locks/; everything derived (LMDB index,
// SQLite catalog, a mirror of the snapshot records, packs being written) lives in the local cache
// (cacheDir.ts). Opening costs a handful of requests whatever the repository's size: HEAD of the
// bucket, GET config.json, the lock (PUT, LIST), a LIST of index/ and of snapshots/, and a GET per
// index object or snapshot record this cache has not seen (docs/BACKENDS.md). A cache that is
// stale (another host wrote, gc ran) is caught up from those listings; a lost one is rebuilt.
// An encrypted bucket (format 3) keeps its keyring as the object keys.json (bucketKeyring.ts),
// opened before anything else as in a folder; blocks, snapshot records and index objects are
// sealed, and what the cache derives in plaintext (catalog, tree copies) is kept per key.
import { join } from 'node:path';
import { DedupfsError } from '../core/errors.js';
import { hashFunction } from '../core/address.js';
import type { Backend } from '../backend/backend.js';
import { openBackend } from '../backend/openBackend.js';
import { acquireBackendLock, type BackendLock } from '../backend/backendLock.js';
import { Catalog } from '../catalog/catalog.js';
import { BucketSnapshotFiles } from '../catalog/snapshotFiles.js';
import { BlockStore } from '../store/blockStore.js';
import { BlockIndex } from '../store/index/blockIndex.js';
import { IndexObjects } from '../store/indexObjects.js';
import { MetaCache } from '../store/metaCache.js';
import { BucketPacks } from '../store/packSpace.js';
import { openCacheDir } from './cacheDir.js';
import { bucketKeyring } from './bucketKeyring.js';
import { chunkerFromConfig, configText, createdNotice, isEncrypted, newConfig, noConfig, parseConfig, type RepoConfig } from './config.js';
import type { RepoLayout } from '../core/layout.js';
import type { RepoKeys, UnlockOptions } from './repoKeys.js';
import { withOwnerOnlyUmask } from '../core/ownerOnly.js';
import type { InitOptions as RepoInitOptions, OpenOptions, Repository } from './repository.js';

const CONFIG_KEY = 'config.json';

/** Creates a repository at an 's3:' location whose prefix holds nothing yet. */
export async function initBucketRepository(where: string, opts: RepoInitOptions = {}): Promise<RepoConfig> {
  const backend = await openBackend(where);
  try {
    return await initIn(backend, opts);
  } finally {
    await backend.close();
  }
}

async function initIn(backend: Backend, opts: RepoInitOptions): Promise<RepoConfig> {
  if (await backend.head(CONFIG_KEY)) {
    throw new DedupfsError('EXISTS', `${backend.location} is already a dedupfs repository`, { hint: 'use it as it is, or name another prefix: s3:URL/BUCKET/PREFIX' });
  }
  for await (const o of backend.list('')) {
    throw new DedupfsError('EXISTS', `cannot create repository in ${backend.location}: it holds objects already (${o.key})`, { hint: 'name an empty bucket or a new prefix: s3:URL/BUCKET/PREFIX' });
  }
  const config = newConfig({ ...opts, bucket: true });
  if (isEncrypted(config)) {
    // The password first (nothing is written without one), then the keyring; config.json last,
    // as it is what makes the prefix a repository.
    const crypto = await import('../crypto/index.js');
    const password = await crypto.readPassword({ ...opts.password, env: process.env, prompt: `new password for ${backend.location}`, confirm: true });
    await crypto.createKeyring(bucketKeyring(backend), password, { contentKey: opts.contentKey });
  }
  await backend.put(CONFIG_KEY, Buffer.from(configText(config)));
  return config;
}

export async function openBucketRepository(where: string, opts: OpenOptions): Promise<Repository> {
  const backend = await openBackend(where);
  let lock: BackendLock | undefined;
  let index: BlockIndex | undefined;
  let catalog: Catalog | undefined;
  let store: BlockStore | undefined;
  const close = async (): Promise<void> => {
    await store?.close();
    catalog?.close();
    await index?.close();
    await lock?.release();
    await backend.close();
  };
  try {
    const config = await readBucketConfig(backend, opts);
    const layout = await openCacheDir(config.id);
    const keys = isEncrypted(config) ? await unlockBucket(backend, layout, config, opts) : undefined;
    if (opts.lock !== 'none') lock = await acquireBackendLock(backend, { kind: opts.lock, command: opts.command, waitMs: opts.lockWaitMs, onWarning: opts.onNotice });
    const assertHeld = () => lock?.assertHeld();
    const idx = index = withOwnerOnlyUmask(() => BlockIndex.open(layout.index));
    const indexObjects = new IndexObjects(backend, idx, layout.root, keys?.blocks.indexSealing);
    await indexObjects.catchUp();
    const snapshotFiles = new BucketSnapshotFiles(backend, layout.snapshots, assertHeld, keys?.snapshots);
    await snapshotFiles.sync();
    catalog = await withOwnerOnlyUmask(() => Catalog.open(layout.catalog, layout.snapshots, { onNotice: opts.onNotice, seal: keys?.snapshots }));
    store = new BlockStore({
      layout, index: idx, hash: keys?.hash ?? hashFunction(config.hash), sealing: keys?.blocks, compression: config.compression, dryRun: opts.dryRun,
      // Plaintext copies of tree and list blocks: one set per key, as the catalog (repoKeys.ts).
      packs: new BucketPacks(layout, backend, keys?.blocks.packFormat), metaCache: MetaCache.open(join(layout.root, keys ? `meta-${keys.keyId}` : 'meta')),
      announce: async (packs) => {
        assertHeld();
        await indexObjects.add(packs);
      },
    });
    return {
      dir: backend.location, layout, backend, remote: true, config, chunker: keys ? { ...chunkerFromConfig(config), gear: keys.gear } : chunkerFromConfig(config),
      store, catalog, snapshotFiles, indexObjects, keys, close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}

/**
 * The keys of the encrypted repository in `backend`, from its keys.json (WRONG_PASSWORD before
 * anything is written); points layout.catalog at this key's catalog, as for a folder.
 */
export async function unlockBucket(backend: Backend, layout: RepoLayout, config: RepoConfig, opts: UnlockOptions): Promise<RepoKeys> {
  const { unlockRepository } = await import('./repoKeys.js');
  return unlockRepository(layout, config, opts, { keyring: bucketKeyring(backend), where: backend.location });
}

/** config.json of the bucket; with opts.create, a new repository when there is none. */
export async function readBucketConfig(backend: Backend, opts: Pick<OpenOptions, 'create' | 'init' | 'onNotice'>): Promise<RepoConfig> {
  let text: string;
  try {
    text = (await backend.get(CONFIG_KEY)).toString('utf8');
  } catch (err) {
    if (!(err instanceof DedupfsError) || err.code !== 'NOT_FOUND') throw err;
    if (!opts.create) throw noConfig(backend.location);
    const config = await initIn(backend, opts.init ?? {});
    opts.onNotice?.(createdNotice(backend.location, config));
    return config;
  }
  return parseConfig(text, `${backend.location}/${CONFIG_KEY}`, backend.location);
}
