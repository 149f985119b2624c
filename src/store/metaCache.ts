// A local copy of the tree and list blocks of a repository in a bucket, kept in its cache
// (cacheDir.ts) as an LMDB database, address -> raw block. An ingest compares every folder with
// the parent snapshot's tree, which would cost one GET per folder; with these copies an
// unchanged re-ingest reads no block from the bucket. A copy is put here only after it was
// checked against its address (read) or hashed to it (stored), so it is trusted as it is; it is
// used only for blocks the index names, and can be deleted with the rest of the cache.
import type { RootDatabase } from 'lmdb';
import type { Address } from '../core/address.js';
import { lazyRequire } from '../core/lazyRequire.js';
import { withOwnerOnlyUmask } from '../core/ownerOnly.js';

const lmdb = lazyRequire<typeof import('lmdb')>('lmdb');

export class MetaCache {
  private constructor(private readonly db: RootDatabase<Buffer, Buffer>) {}

  static open(path: string): MetaCache {
    return new MetaCache(withOwnerOnlyUmask(() => lmdb().open<Buffer, Buffer>({ path, keyEncoding: 'binary', encoding: 'binary', compression: false })));
  }

  get(addr: Address): Buffer | undefined {
    return this.db.get(addr);
  }

  /** Keeps a copy (written in the background; a copy lost to a crash is fetched again). */
  put(addr: Address, raw: Buffer): void {
    void this.db.put(addr, Buffer.from(raw)).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
