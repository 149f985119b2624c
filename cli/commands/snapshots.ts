// `dedupfs snapshots`: the catalog, oldest first.
import type { CommandModule } from 'yargs';
import { formatSnapshotTable } from '../../src/ui/formatSnapshot.js';
import { output, scopeOf, scopeOptions, withRepository, type GlobalArgs, type ScopeArgs } from '../shared.js';

interface Args extends GlobalArgs, ScopeArgs {}

export const snapshotsCommand: CommandModule<GlobalArgs, Args> = {
  command: 'snapshots',
  describe: 'list snapshots',
  builder: (y) => scopeOptions(y, 'list only snapshots'),
  handler: async (argv) => {
    const snaps = await withRepository(argv, { lock: 'none', command: 'snapshots', readOnly: true, writeOnly: true }, async (repo) =>
      repo.catalog.list(scopeOf(argv)));
    output(argv, snaps, () => formatSnapshotTable(snaps));
  },
};
