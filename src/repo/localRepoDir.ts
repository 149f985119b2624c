// This machine's own state for an encrypted repository: what may not go into the repository's
// folder because it is plaintext or must not be changeable by whoever can write there (the
// catalog, the keyring generation seen, a write-only host's own trees). Owner-only.
import { mkdir } from 'node:fs/promises';
import { ioError } from '../core/errors.js';
import { cacheRoot } from './cacheDir.js';
import { DIR_MODE } from '../core/layout.js';

/** $XDG_CACHE_HOME/dedupfs/ID (default ~/.cache), created owner-only. */
export async function localRepoDir(repoId: string): Promise<string> {
  const dir = cacheRoot(repoId);
  await mkdir(dir, { recursive: true, mode: DIR_MODE }).catch((err) => { throw ioError(err, 'cannot create the local state folder', dir); });
  return dir;
}
