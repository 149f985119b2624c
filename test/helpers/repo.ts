// Opens a real repository in a temporary folder for library-level tests, and a few questions
// tests ask of one (how many data blocks the index names; whether every block of a snapshot
// reads back intact).
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { addressFromHex } from '../../src/core/address.js';
import { openRepository, type Repository } from '../../src/repo/repository.js';
import { BlockType } from '../../src/core/blocks.js';
import { walkBlocks } from '../../src/tree/walkBlocks.js';
import type { Snapshot } from '../../src/catalog/snapshotRecord.js';
import { tempDir } from './tempDir.js';

export async function tempRepoPath(t: TestContext): Promise<string> {
  return join(await tempDir(t, 'dedupfs-repo-'), 'repo');
}

/** Opens (creating if needed) the repository at `dir`, closed when the test ends. */
export async function openTestRepo(t: TestContext, dir: string, lock: 'shared' | 'none' = 'shared'): Promise<Repository> {
  const repo = await openRepository(dir, { lock, command: 'test', create: true });
  let closed = false;
  t.after(async () => { if (!closed) await repo.close(); });
  const close = repo.close.bind(repo);
  repo.close = async () => { closed = true; await close(); };
  return repo;
}

export function countBlocks(repo: Repository, type: BlockType = BlockType.Data): number {
  let n = 0;
  for (const [, loc] of repo.store.index.entries()) if (loc.type === type) n++;
  return n;
}

/** Reads every block `snap` refers to (each read checks the hash); returns how many. */
export async function verifySnapshotBlocks(repo: Repository, snap: Snapshot): Promise<number> {
  const seen = new Set<string>();
  const reads: Promise<unknown>[] = [];
  await walkBlocks(repo.store, addressFromHex(snap.root), (addr, type) => {
    const key = addr.toString('hex');
    if (seen.has(key)) return false;
    seen.add(key);
    if (type === BlockType.Data) reads.push(repo.store.get(addr));
    return true;
  });
  await Promise.all(reads);
  return seen.size;
}
