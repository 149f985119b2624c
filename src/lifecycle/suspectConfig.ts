// A wrong config.json (hash or compression edited after init) makes every block fail its check,
// and taking that for damaged data would empty the index and drop every file of every snapshot.
// Real damage hits a few blocks; so when more than half of the blocks read fail (and more than a
// handful), check and repair suspect the configuration and change nothing.
import { DedupfsError } from '../core/errors.js';
import type { RepoConfig } from '../repo/config.js';
import type { StoreMaintenance } from '../store/index.js';

/** More failures than this, and more than half of those read, point at the configuration. */
const HANDFUL = 8;
/** Blocks probeConfig reads. */
const PROBE = 32;

/** The one-line suspicion, or undefined when `failed` of `read` blocks looks like ordinary damage. */
export function configSuspicion(config: Pick<RepoConfig, 'hash' | 'compression'>, failed: number, read: number): string | undefined {
  if (failed <= HANDFUL || failed * 2 <= read) return undefined;
  return `${failed} of ${read} blocks read fail their check: config.json (hash ${config.hash}, compression ${config.compression.algorithm}) `
    + 'is more likely wrong than the data';
}

/** Throws (changing nothing) when `failed` of `read` blocks point at the configuration. */
export function refuseSuspectConfig(config: Pick<RepoConfig, 'hash' | 'compression'>, failed: number, read: number): void {
  const suspicion = configSuspicion(config, failed, read);
  if (suspicion) {
    throw new DedupfsError('REPO_DAMAGED', `${suspicion}; nothing was changed`, {
      hint: 'put back the config.json the repository was created with (hash and compression cannot change after init), then run the command again',
      data: { failed, read },
    });
  }
}

/** Reads up to PROBE blocks the index names; returns how many were read and how many failed their check. */
export async function probeConfig(store: StoreMaintenance): Promise<{ failed: number; read: number }> {
  let read = 0;
  let failed = 0;
  for (const [address, loc] of store.indexEntries()) {
    if (read++ >= PROBE) break;
    await store.readBlock(address, loc).catch((err) => {
      if (!(err instanceof DedupfsError) || err.code !== 'BLOCK_DAMAGED') throw err;
      failed++;
    });
  }
  return { failed, read: Math.min(read, PROBE) };
}
