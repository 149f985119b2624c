// `dedupfs repair`: rebuild the index from the packs and the catalog from the snapshot files.
import type { CommandModule } from 'yargs';
import { repair } from '../../src/lifecycle/index.js';
import { defaultRepoPath } from '../../src/repo/layout.js';
import { formatRepair } from '../../src/ui/formatRepair.js';
import { LOCK_WAIT_OPTION, exitWithWarnings, lockWaitMs, notice, summary, progressFor, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs { 'read-data'?: boolean; 'forget-damaged'?: boolean }

export const repairCommand: CommandModule<GlobalArgs, Args> = {
  command: 'repair',
  describe: 'rebuild the index from the packs and the catalog from the snapshot files',
  builder: (y) => y
    .option('read-data', { type: 'boolean', describe: 'check every block while rebuilding; damaged copies are left out of the index' })
    .option('forget-damaged', { type: 'boolean', describe: 'remove the snapshots that need blocks that are gone' })
    .option('lock-wait', LOCK_WAIT_OPTION)
    .example('$0 repair && $0 check --read-data', 'rebuild, then prove it')
    .epilogue('repair takes the repository exclusively. Exit status 3 when snapshots still need blocks that are gone '
      + '(listed; remove them with --forget-damaged). With --json: {"type":"summary", index, catalog, damagedSnapshots, forgotten}.'),
  handler: async (argv) => {
    const progress = progressFor(argv, 'repairing');
    const report = await repair(defaultRepoPath(argv.repo), {
      readData: argv['read-data'], forgetDamaged: argv['forget-damaged'], lockWaitMs: lockWaitMs(argv),
      reporter: progress, onNotice: (msg) => notice(argv, msg),
    });
    progress.finish();
    summary(argv, { type: 'summary', ...report }, () => formatRepair(report));
    exitWithWarnings(report.damagedSnapshots.length - report.forgotten.length);
  },
};
