// The pack files on disk, as gc, check and repair see them: sealed packs (packs/XX/<id>.pack,
// XX being the id's first two hex digits), unsealed ones (packs/tmp/<id>.tmp: being written, or
// left by a crash) and anything else found there (strays, which no dedupfs writes).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { packPath, type RepoLayout } from '../core/layout.js';

export interface PackFile {
  packId: string;
  path: string;
  size: number;
  /** unsealed packs: the id of the lock its writer held, when the name carries one (packWriter.ts) */
  owner?: string;
}

export interface PackListing {
  /** sorted by pack id */
  sealed: PackFile[];
  unsealed: PackFile[];
  strays: string[];
}

export const PACK_ID = /^[0-9a-f]{32}$/;
const UNSEALED = /^([0-9a-f]{32})(?:-([0-9a-f]{32}))?\.tmp$/;

/** Lists the packs of a repository; a missing packs/ folder lists as empty. */
export async function listPacks(layout: RepoLayout): Promise<PackListing> {
  const listing: PackListing = { sealed: [], unsealed: [], strays: [] };
  for (const dir of await names(layout.packs)) {
    const dirPath = join(layout.packs, dir);
    if (dir === 'tmp') {
      for (const name of await names(dirPath)) {
        const path = join(dirPath, name);
        const m = UNSEALED.exec(name);
        if (!m) listing.strays.push(path);
        else {
          // A live writer may seal (rename) its pack between readdir and stat: then it is not unsealed.
          const size = await sizeOf(path).catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return null; throw err; });
          if (size !== null) listing.unsealed.push({ packId: m[1], path, size, ...(m[2] ? { owner: m[2] } : {}) });
        }
      }
      continue;
    }
    if (!/^[0-9a-f]{2}$/.test(dir)) {
      listing.strays.push(dirPath);
      continue;
    }
    for (const name of await names(dirPath)) {
      const packId = name.slice(0, -5);
      const path = join(dirPath, name);
      if (name.endsWith('.pack') && PACK_ID.test(packId) && packPath(layout, packId) === path) listing.sealed.push({ packId, path, size: await sizeOf(path) });
      else listing.strays.push(path);
    }
  }
  listing.sealed.sort((a, b) => (a.packId < b.packId ? -1 : a.packId > b.packId ? 1 : 0));
  return listing;
}

async function names(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

async function sizeOf(path: string): Promise<number> {
  return (await stat(path)).size;
}
