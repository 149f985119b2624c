// `dedupfs gc`: delete the packs no snapshot needs and rewrite the mostly unused ones.
import type { CommandModule } from 'yargs';
import { gc, parseMaxUnused } from '../../src/lifecycle/index.js';
import { formatGc } from '../../src/ui/formatGc.js';
import { LOCK_WAIT_OPTION, exitWithWarnings, lockWaitMs, summary, progressFor, withRepository, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs { 'max-unused': string; 'dry-run'?: boolean; 'rewrite-all'?: boolean }

export const gcCommand: CommandModule<GlobalArgs, Args> = {
  command: 'gc',
  describe: 'free the space of blocks no snapshot needs',
  builder: (y) => y
    .option('max-unused', { type: 'string', default: '5%', describe: "rewrite a pack when more than this share of it is unused (e.g. 5%, 20%; 'unlimited' deletes only wholly unused packs)" })
    .option('dry-run', { type: 'boolean', describe: 'print what would be deleted and rewritten; change nothing' })
    .option('rewrite-all', { type: 'boolean', describe: 'an encrypted repository: copy every pack, sealing each block and snapshot record again under the newest key (after key rotate)' })
    .option('lock-wait', LOCK_WAIT_OPTION)
    .example('$0 forget --keep-daily 7 && $0 gc', 'forget, then free the space')
    .epilogue('gc takes the repository exclusively (a dry run shares it). Killing it at any moment loses nothing. '
      + 'Exit status 1 when blocks that snapshots need are missing (nothing is deleted then: run check and repair); '
      + '3 when a pack was kept because a block in it is damaged. '
      + 'With --json: {"type":"summary", dry_run, snapshots, packs, packBytes, liveBytes, deadBytes, deletePacks, rewritePacks, ..., result:{freedBytes, ...}}.'),
  handler: async (argv) => {
    const maxUnused = parseMaxUnused(argv['max-unused']);
    const progress = progressFor(argv, 'gc');
    const report = await withRepository(argv, { lock: argv['dry-run'] ? 'shared' : 'exclusive', command: 'gc', lockWaitMs: lockWaitMs(argv) },
      (repo) => gc(repo, { maxUnused, dryRun: argv['dry-run'], rewriteAll: argv['rewrite-all'], reporter: progress }));
    progress.finish();
    const { dryRun, ...rest } = report;
    summary(argv, { type: 'summary', dry_run: dryRun, ...rest }, () => formatGc(report));
    exitWithWarnings(report.result?.keptDamaged.length ?? 0);
  },
};
