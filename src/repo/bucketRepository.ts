// Opens and creates repositories in an S3 bucket ('s3:URL/BUCKET[/PREFIX]'). The bucket holds
// config.json, packs/, index/ objects, snapshots/ and locks/; everything derived (LMDB index,
// SQLite catalog, a mirror of the snapshot records, packs being written) lives in the local cache
// (cacheDir.ts). Opening costs a handful of requests whatever the repository's size: HEAD of the
// bucket, GET config.json, the lock (PUT, LIST), a LIST of index/ and of snapshots/, and a GET per
// index object or snapshot record this cache has not seen (docs/BACKENDS.md). A cache that is
// stale (another host wrote, gc ran) is caught up from those listings; a lost one is rebuilt.
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
import { chunkerFromConfig, configText, isEncrypted, newConfig, noConfig, parseConfig, type InitOptions, type RepoConfig } from './config.js';
import { withOwnerOnlyUmask } from '../core/ownerOnly.js';
import type { OpenOptions, Repository } from './repository.js';

const CONFIG_KEY = 'config.json';

/** Encrypted repositories are made and opened in folders only, for now. */
function encryptedRefused(location: string): DedupfsError {
  return new DedupfsError('USAGE', `${location}: encrypted repositories on object storage are not supported yet`,
    { hint: 'create a plain one with --encryption none for now, or keep an encrypted repository in a folder' });
}

/** Creates a repository at an 's3:' location whose prefix holds nothing yet. */
export async function initBucketRepository(where: string, opts: InitOptions = {}): Promise<RepoConfig> {
  if (opts.encryption === 'v1') throw encryptedRefused(where);
  const backend = await openBackend(where);
  try {
    return await initIn(backend, opts);
  } finally {
    await backend.close();
  }
}

async function initIn(backend: Backend, opts: InitOptions): Promise<RepoConfig> {
  if (await backend.head(CONFIG_KEY)) {
    throw new DedupfsError('EXISTS', `${backend.location} is already a dedupfs repository`, { hint: 'use it as it is, or name another prefix: s3:URL/BUCKET/PREFIX' });
  }
  for await (const o of backend.list('')) {
    throw new DedupfsError('EXISTS', `cannot create repository in ${backend.location}: it holds objects already (${o.key})`, { hint: 'name an empty bucket or a new prefix: s3:URL/BUCKET/PREFIX' });
  }
  const config = newConfig({ ...opts, bucket: true });
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
    if (isEncrypted(config)) throw encryptedRefused(backend.location);
    const layout = await openCacheDir(config.id);
    if (opts.lock !== 'none') lock = await acquireBackendLock(backend, { kind: opts.lock, command: opts.command, waitMs: opts.lockWaitMs, onWarning: opts.onNotice });
    const assertHeld = () => lock?.assertHeld();
    const idx = index = withOwnerOnlyUmask(() => BlockIndex.open(layout.index));
    const indexObjects = new IndexObjects(backend, idx, layout.root);
    await indexObjects.catchUp();
    const snapshotFiles = new BucketSnapshotFiles(backend, layout.snapshots, assertHeld);
    await snapshotFiles.sync();
    catalog = await withOwnerOnlyUmask(() => Catalog.open(layout.catalog, layout.snapshots, { onNotice: opts.onNotice }));
    store = new BlockStore({
      layout, index: idx, hash: hashFunction(config.hash), compression: config.compression, dryRun: opts.dryRun,
      packs: new BucketPacks(layout, backend), metaCache: MetaCache.open(join(layout.root, 'meta')),
      announce: async (packs) => {
        assertHeld();
        await indexObjects.add(packs);
      },
    });
    return {
      dir: backend.location, layout, backend, remote: true, config, chunker: chunkerFromConfig(config), store, catalog, snapshotFiles, indexObjects, close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
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
    opts.onNotice?.(`created repository ${backend.location}`);
    return config;
  }
  return parseConfig(text, `${backend.location}/${CONFIG_KEY}`, backend.location);
}
