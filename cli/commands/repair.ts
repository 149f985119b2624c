// `dedupfs repair`: rebuild the index from the packs and the catalog from the snapshot files,
// salvage damaged packs, and keep every snapshot (rewritten without its damaged files when asked).
import type { CommandModule } from 'yargs';
import { repair } from '../../src/lifecycle/index.js';
import { defaultRepoPath } from '../../src/core/layout.js';
import { formatRepair, repairHint } from '../../src/ui/formatRepair.js';
import { LOCK_WAIT_OPTION, exitWithWarnings, hint as printHint, lockWaitMs, notice, passwordSource, summary, progressFor, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs { 'read-data'?: boolean; 'drop-damaged'?: boolean; 'forget-damaged'?: boolean; 'forget-unreadable'?: boolean }

export const repairCommand: CommandModule<GlobalArgs, Args> = {
  command: 'repair',
  describe: 'rebuild the index and the catalog, salvage damaged packs; every snapshot is kept',
  builder: (y) => y
    .option('read-data', { type: 'boolean', describe: 'check every block while rebuilding; damaged copies are left out of the index, so the next ingest stores them again' })
    .option('drop-damaged', { type: 'boolean', describe: 'rewrite each snapshot that needs blocks that are gone without the files that need them (the rest of it is kept)' })
    .option('forget-damaged', { type: 'boolean', hidden: true, describe: 'old name of --drop-damaged (it no longer forgets snapshots)' })
    .option('forget-unreadable', { type: 'boolean', describe: 'forget the snapshots whose root tree cannot be read (nothing of them can be restored)' })
    .option('lock-wait', LOCK_WAIT_OPTION)
    .example('$0 repair --read-data && $0 check --read-data', 'rebuild and salvage, then prove it')
    .example('$0 ingest /backups/today && $0 check', 'after repair: re-ingest a source that still holds the damaged files to heal every snapshot')
    .epilogue('repair takes the repository exclusively and never removes a snapshot because some of its files are damaged. '
      + 'Exit status 3 when snapshots still need blocks that are gone (listed by snapshot and path): re-ingest a source that holds them, '
      + 'or run repair --drop-damaged. Exit status 1, changing nothing, when nearly every block fails its check (config.json is suspected). '
      + 'With --json: {"type":"summary", index, catalog, salvaged, damagedSnapshots:[{id, time, paths, rootUnreadable, action, replacedBy}], rewritten:[{from, to, dropped}], forgotten, live:[{host, changes, snapshot, problem}], hint}. '
      + 'What a writable mount acknowledged and never committed (it was killed) is committed first, as a snapshot of its host tagged live.'),
  handler: async (argv) => {
    const progress = progressFor(argv, 'repairing');
    const report = await repair(defaultRepoPath(argv.repo), {
      readData: argv['read-data'], dropDamaged: argv['drop-damaged'] || argv['forget-damaged'], forgetUnreadable: argv['forget-unreadable'],
      lockWaitMs: lockWaitMs(argv), reporter: progress, onNotice: (msg) => notice(argv, msg), password: passwordSource(argv),
    });
    progress.finish();
    const hint = repairHint(report);
    summary(argv, { type: 'summary', ...report, hint: hint ?? null }, () => formatRepair(report));
    if (hint) printHint(hint);
    exitWithWarnings(report.damagedSnapshots.filter((s) => s.action === 'kept').length);
  },
};
