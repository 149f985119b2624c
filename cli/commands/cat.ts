// `dedupfs cat SNAPSHOT:PATH`: a file's content on stdout, streamed.
import type { CommandModule } from 'yargs';
import { parseSnapshotPath, selectScoped } from '../../src/catalog/selectSnapshot.js';
import { catFile } from '../../src/restore/catFile.js';
import { streamToStdout } from '../../src/ui/streamOut.js';
import { LOCK_WAIT_OPTION, lockWaitMs, scopeOf, scopeOptions, withRepository, type GlobalArgs, type ScopeArgs } from '../shared.js';

interface Args extends GlobalArgs, ScopeArgs { spec: string }

export const catCommand: CommandModule<GlobalArgs, Args> = {
  command: 'cat <spec>',
  describe: "write a file's content from a snapshot to stdout",
  builder: (y) => scopeOptions(y)
    .positional('spec', { type: 'string', describe: 'SNAPSHOT:PATH of a regular file, e.g. latest:/etc/hosts', demandOption: true })
    .option('lock-wait', LOCK_WAIT_OPTION)
    .example('$0 cat latest:/etc/hosts', 'print one file')
    .epilogue('Every chunk is checked against its hash; a damaged one stops the output with an error (exit 1).'),
  handler: async (argv) => {
    await withRepository(argv, { lock: 'shared', command: 'cat', readOnly: true, lockWaitMs: lockWaitMs(argv) }, async (repo) => {
      const { selector, path } = parseSnapshotPath(argv.spec);
      await streamToStdout(await catFile(repo, { snapshot: selectScoped(repo.catalog, selector, scopeOf(argv)).id, path }));
    });
  },
};
