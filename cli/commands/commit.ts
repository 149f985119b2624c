// `dedupfs commit MOUNTPOINT`: asks a writable mount to store its tree as a snapshot now, and
// waits until the snapshot is durable.
import type { CommandModule } from 'yargs';
import { openBackend } from '../../src/backend/openBackend.js';
import { parseRepoLocation } from '../../src/backend/parseRepoLocation.js';
import { requestCommit } from '../../src/live/index.js';
import { readBucketConfig } from '../../src/repo/bucketRepository.js';
import { cacheRoot } from '../../src/repo/cacheDir.js';
import { defaultRepoPath } from '../../src/core/layout.js';
import { summary, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs { mountpoint: string }

/**
 * Where the writable mounts of the repository at `where` keep their staging areas: its folder,
 * or for a repository in a bucket this machine's cache of it (src/repo/cacheDir.ts).
 */
async function liveRoot(where: string): Promise<string> {
  const location = parseRepoLocation(where);
  if (location.kind === 'folder') return location.path;
  const backend = await openBackend(where);
  try {
    return cacheRoot((await readBucketConfig(backend, {})).id);
  } finally {
    await backend.close();
  }
}

export const commitCommand: CommandModule<GlobalArgs, Args> = {
  command: 'commit <mountpoint>',
  describe: 'store the tree of a writable mount as a snapshot now (tag live)',
  builder: (y) => y
    .positional('mountpoint', { type: 'string', describe: 'where the writable mount is', demandOption: true })
    .example('$0 commit /mnt/archive', 'a snapshot of what was written so far'),
  handler: async (argv) => {
    const snap = await requestCommit(await liveRoot(defaultRepoPath(argv.repo)), argv.mountpoint);
    summary(argv, { type: 'summary', snapshot: snap?.id ?? null, time: snap?.time ?? null, added: snap?.added ?? null },
      () => (snap ? `committed snapshot ${snap.id.slice(0, 8)} (${snap.time})\n` : 'nothing changed since the last commit\n'));
  },
};
