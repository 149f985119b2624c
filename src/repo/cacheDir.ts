// The local cache of a repository in a bucket: ~/.cache/dedupfs/<repository id> (or
// $XDG_CACHE_HOME/dedupfs/<id>), owner-only (an encrypted folder repository keeps this
// machine's state for it in the same place: localRepoDir.ts). It holds what is derived from the bucket and can be
// rebuilt from it: the LMDB index, the SQLite catalog, a mirror of the snapshot records, the
// list of index objects applied, and packs being written (packs/tmp). Deleting it costs one
// rebuild (docs/BACKENDS.md).
import { chmod, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ioError } from '../core/errors.js';
import { DIR_MODE, repoLayout, type RepoLayout } from '../core/layout.js';

/** This machine's folder for the repository with id `id`. */
export function cacheRoot(id: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dedupfs', id);
}

/** Creates (if needed) the cache of the repository with id `id` and returns its layout. */
export async function openCacheDir(id: string, env: NodeJS.ProcessEnv = process.env): Promise<RepoLayout> {
  const root = cacheRoot(id, env);
  const base = dirname(root);
  const layout = repoLayout(root);
  try {
    await mkdir(base, { recursive: true, mode: DIR_MODE });
    await chmod(base, DIR_MODE);
    for (const d of [root, layout.snapshots, layout.packs, layout.packsTmp]) await mkdir(d, { recursive: true, mode: DIR_MODE });
    await chmod(root, DIR_MODE);
  } catch (err) {
    throw ioError(err, 'cannot create the local cache', root);
  }
  return layout;
}
