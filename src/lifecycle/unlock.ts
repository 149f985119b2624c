// `dedupfs unlock`: removes stale locks (their process is gone, or they were not refreshed), or
// with `all` every lock. The repository must exist: unlocking a mistyped path says so instead of
// reporting that there was nothing to remove.
import { resolve } from 'node:path';
import { readConfig } from '../repo/config.js';
import { repoLayout } from '../repo/layout.js';
import { removeLocks } from '../repo/lock.js';

/**
 * @returns a description of each lock removed.
 * @throws DedupfsError NO_REPOSITORY when `dir` is not a repository.
 */
export async function unlock(dir: string, opts: { all: boolean }): Promise<string[]> {
  const root = resolve(dir);
  await readConfig(repoLayout(root).config, root);
  return removeLocks(root, opts);
}
