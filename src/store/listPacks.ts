// The pack files on disk, as gc, check and repair see them: sealed packs (packs/XX/<id>.pack,
// XX being the id's first two hex digits), unsealed ones (packs/tmp/<id>.tmp: being written, or
// left by a crash) and anything else found there (strays, which no dedupfs writes).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { packPath, type RepoLayout } from '../repo/layout.js';

export interface PackFile { packId: string; path: string; size: number }

export interface PackListing {
  /** sorted by pack id */
  sealed: PackFile[];
  unsealed: PackFile[];
  strays: string[];
}

const PACK_ID = /^[0-9a-f]{32}$/;

/** Lists the packs of a repository; a missing packs/ folder lists as empty. */
export async function listPacks(layout: RepoLayout): Promise<PackListing> {
  const listing: PackListing = { sealed: [], unsealed: [], strays: [] };
  for (const dir of await names(layout.packs)) {
    const dirPath = join(layout.packs, dir);
    if (dir === 'tmp') {
      for (const name of await names(dirPath)) {
        const path = join(dirPath, name);
        if (name.endsWith('.tmp') && PACK_ID.test(name.slice(0, -4))) listing.unsealed.push({ packId: name.slice(0, -4), path, size: await sizeOf(path) });
        else listing.strays.push(path);
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
