// `dedupfs unlock`: removes stale locks (their process is gone, or they were not refreshed), or
// with `all` every lock. The repository must exist: unlocking a mistyped path says so instead of
// reporting that there was nothing to remove.
import { resolve } from 'node:path';
import { removeBackendLocks } from '../backend/backendLock.js';
import { openBackend } from '../backend/openBackend.js';
import { parseRepoLocation } from '../backend/parseRepoLocation.js';
import { noConfig, readConfig } from '../repo/config.js';
import { repoLayout } from '../core/layout.js';
import { removeLocks } from '../repo/lock.js';

/**
 * @returns a description of each lock removed.
 * @throws DedupfsError NO_REPOSITORY when `dir` is not a repository.
 */
export async function unlock(dir: string, opts: { all: boolean }): Promise<string[]> {
  if (parseRepoLocation(dir).kind === 's3') {
    const backend = await openBackend(dir);
    try {
      if (!(await backend.head('config.json'))) throw noConfig(backend.location);
      return await removeBackendLocks(backend, opts);
    } finally {
      await backend.close();
    }
  }
  const root = resolve(dir);
  await readConfig(repoLayout(root).config, root);
  return removeLocks(root, opts);
}
