// Damages a repository on purpose, the ways disks, crashes and people do: a flipped byte in a
// pack, a pack cut short or deleted, the index or the catalog deleted or overwritten. Also finds
// where a given file's blocks lie, so a test can damage exactly the file it then expects check
// to name.
import { open, rm, truncate, writeFile } from 'node:fs/promises';
import { addressFromHex, addressToHex } from '../../src/core/address.js';
import { packPath, repoLayout } from '../../src/core/layout.js';
import { openRepository } from '../../src/repo/repository.js';
import type { BlockLocation } from '../../src/store/index/blockIndex.js';
import { HEADER_BYTES } from '../../src/store/pack/format.js';
import { loadChunkTable } from '../../src/tree/chunkList.js';
import { decodeTree } from '../../src/tree/treeCodec.js';

export interface BlockPlace extends BlockLocation { address: string; path: string }

/**
 * Where the blocks of `/a/b` (a file, or a folder's tree block; '/' for the root tree) in
 * snapshot `snapshotId` lie, in file order. Name bytes are read as latin1, as describeTree's keys.
 */
export async function locateBlocks(repoDir: string, snapshotId: string, filePath: string): Promise<BlockPlace[]> {
  const repo = await openRepository(repoDir, { lock: 'none', command: 'test' });
  try {
    const snap = repo.catalog.list().find((s) => s.id === snapshotId);
    if (!snap) throw new Error(`no snapshot ${snapshotId}`);
    let addresses = [snap.root];
    let tree = addressFromHex(snap.root);
    const names = filePath.split('/').filter(Boolean);
    for (const [i, name] of names.entries()) {
      const entry = decodeTree(await repo.store.get(tree)).find((e) => e.name.toString('latin1') === name);
      if (!entry) throw new Error(`no ${name} in ${filePath}`);
      if (i < names.length - 1 || entry.subtree) {
        tree = entry.subtree!;
        addresses = [addressToHex(tree)];
        continue;
      }
      const table = await loadChunkTable(repo.store, entry.content);
      addresses = Array.from({ length: table.count }, (_, j) => addressToHex(table.address(j)));
    }
    return addresses.map((hex) => {
      const loc = repo.store.index.get(addressFromHex(hex));
      if (!loc) throw new Error(`block ${hex} is not in the index`);
      return { ...loc, address: hex, path: packPath(repo.layout, loc.packId) };
    });
  } finally {
    await repo.close();
  }
}

/** Flips the lowest bit of the byte at `offset` in `path`. */
export async function flipByte(path: string, offset: number): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, offset);
    b[0] ^= 1;
    await fh.write(b, 0, 1, offset);
  } finally {
    await fh.close();
  }
}

/** Flips a byte inside the stored bytes of a block, so its record header stays intact. */
export async function flipBlockByte(place: BlockPlace): Promise<void> {
  await flipByte(place.path, place.offset + HEADER_BYTES + Math.floor(place.storedLength / 2));
}

/** Cuts a pack file to `size` bytes. */
export async function truncatePack(path: string, size: number): Promise<void> {
  await truncate(path, size);
}

export async function deletePack(path: string): Promise<void> {
  await rm(path);
}

/** Deletes the LMDB block index outright. */
export async function dropIndex(repoDir: string): Promise<void> {
  await rm(repoLayout(repoDir).index, { recursive: true, force: true });
}

/** Deletes the SQLite catalog and its WAL files. */
export async function dropCatalog(repoDir: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm']) await rm(repoLayout(repoDir).catalog + suffix, { force: true });
}

/** Overwrites the catalog with bytes that are not a database. */
export async function garbleCatalog(repoDir: string): Promise<void> {
  await dropCatalog(repoDir);
  await writeFile(repoLayout(repoDir).catalog, 'this is not an SQLite database, not at all\n'.repeat(200));
}
