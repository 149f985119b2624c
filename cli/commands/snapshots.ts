// `dedupfs snapshots`: the catalog, oldest first.
import type { CommandModule } from 'yargs';
import { formatSnapshotTable } from '../../src/ui/formatSnapshot.js';
import { output, withRepository, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs { host?: string; tag: string[]; path?: string }

export const snapshotsCommand: CommandModule<GlobalArgs, Args> = {
  command: 'snapshots',
  describe: 'list snapshots',
  builder: (y) => y
    .option('host', { type: 'string', describe: 'only snapshots of this host' })
    .option('tag', { type: 'string', array: true, default: [], describe: 'only snapshots with this tag (repeatable: all must match)' })
    .option('path', { type: 'string', describe: 'only snapshots of this source path' }),
  handler: async (argv) => {
    const snaps = await withRepository(argv, { lock: 'none', command: 'snapshots', readOnly: true }, async (repo) =>
      repo.catalog.list({ host: argv.host, tags: argv.tag, path: argv.path }));
    output(argv, snaps, () => formatSnapshotTable(snaps));
  },
};
