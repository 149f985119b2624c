// `dedupfs unlock [--all]`: remove locks left by processes that are gone.
import type { CommandModule } from 'yargs';
import { unlock } from '../../src/lifecycle/index.js';
import { defaultRepoPath } from '../../src/core/layout.js';
import { formatUnlock } from '../../src/ui/formatLocks.js';
import { summary, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs { all?: boolean }

export const unlockCommand: CommandModule<GlobalArgs, Args> = {
  command: 'unlock',
  describe: 'remove stale locks (or, with --all, every lock)',
  builder: (y) => y
    .option('all', { type: 'boolean', describe: 'remove every lock, also those of running commands: only when no dedupfs process uses the repository' })
    .epilogue('A lock is stale when its process is gone (same host) or it was not refreshed for 30 minutes. '
      + 'With --json: {"type":"summary", removed:[descriptions]}.'),
  handler: async (argv) => {
    const removed = await unlock(defaultRepoPath(argv.repo), { all: !!argv.all });
    summary(argv, { type: 'summary', removed }, () => formatUnlock(removed, !!argv.all));
  },
};
