// `dedupfs stats [SNAPSHOT]`: sizes and ratios of the repository, or of one snapshot.
import type { CommandModule } from 'yargs';
import { selectScoped } from '../../src/catalog/selectSnapshot.js';
import { repoStats, snapshotStats } from '../../src/stats/repoStats.js';
import { formatRepoStats, formatSnapshotStats } from '../../src/ui/formatStats.js';
import { formatRequests } from '../../src/ui/formatRequests.js';
import { output, scopeOf, scopeOptions, withRepository, type GlobalArgs, type ScopeArgs } from '../shared.js';

interface Args extends GlobalArgs, ScopeArgs { snapshot?: string }

export const statsCommand: CommandModule<GlobalArgs, Args> = {
  command: 'stats [snapshot]',
  describe: 'logical, unique and stored bytes; deduplication and compression ratios',
  builder: (y) => scopeOptions(y, 'with SNAPSHOT: choose only among snapshots').positional('snapshot', { type: 'string', describe: 'one snapshot: its size, what it added, what only it holds' }),
  handler: async (argv) => {
    await withRepository(argv, { lock: 'none', command: 'stats', readOnly: true }, async (repo) => {
      if (argv.snapshot) {
        const s = await snapshotStats(repo, selectScoped(repo.catalog, argv.snapshot, scopeOf(argv)));
        output(argv, { type: 'snapshot_stats', ...s }, () => formatSnapshotStats(s));
      } else {
        const s = await repoStats(repo);
        // In a bucket: what opening the repository and these stats cost so far.
        const requests = repo.remote ? { requests: repo.backend.requestCounts() } : {};
        output(argv, { type: 'repository_stats', repository: repo.dir, ...s, ...requests }, () => formatRepoStats(repo.dir, s) + (requests.requests ? formatRequests(requests.requests) : ''));
      }
    });
  },
};
