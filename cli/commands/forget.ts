// `dedupfs forget [SNAPSHOT...] [--keep-* ...]`: remove snapshots by name or by policy.
import type { CommandModule } from 'yargs';
import { parseDuration } from '../../src/core/duration.js';
import { forget, gc, parseGroupBy, parseMaxUnused, type GcReport } from '../../src/lifecycle/index.js';
import { formatForget } from '../../src/ui/formatForget.js';
import { formatGc } from '../../src/ui/formatGc.js';
import { selectScoped } from '../../src/catalog/selectSnapshot.js';
import { LOCK_WAIT_OPTION, lockWaitMs, progressFor, repeatable, scopeOf, scopeOptions, summary, withRepository, type GlobalArgs, type ScopeArgs } from '../shared.js';

interface Args extends GlobalArgs, ScopeArgs {
  snapshots: string[];
  'keep-last'?: number; 'keep-hourly'?: number; 'keep-daily'?: number; 'keep-weekly'?: number; 'keep-monthly'?: number; 'keep-yearly'?: number;
  'keep-within'?: string; 'keep-tag': string[]; 'group-by': string; 'dry-run'?: boolean; gc?: boolean; 'max-unused': string;
}

const count = (describe: string) => ({ type: 'number', describe, requiresArg: true } as const);

export const forgetCommand: CommandModule<GlobalArgs, Args> = {
  command: 'forget [snapshots..]',
  describe: 'remove snapshots, named or by a retention policy (gc frees their space)',
  builder: (y) => scopeOptions(y, 'apply the policy, or choose the named snapshots, only among snapshots')
    .positional('snapshots', { type: 'string', array: true, default: [] as string[], describe: 'snapshots to remove (id, prefix, latest, latest~N)' })
    .option('keep-last', count('keep the N newest snapshots'))
    .option('keep-hourly', count('keep the newest snapshot of each of the last N hours that have one'))
    .option('keep-daily', count('... of each of the last N days'))
    .option('keep-weekly', count('... of each of the last N ISO weeks'))
    .option('keep-monthly', count('... of each of the last N months'))
    .option('keep-yearly', count('... of each of the last N years'))
    .option('keep-within', { type: 'string', describe: "keep every snapshot newer than DURATION before the group's newest (e.g. 30d, 1y6m)" })
    .option('keep-tag', repeatable('keep every snapshot with this tag'))
    .option('group-by', { type: 'string', default: 'host,paths', describe: "judge each group alone: any of host, paths, tags, comma-separated ('' for one group)" })
    .option('dry-run', { type: 'boolean', describe: 'print what would be kept and removed; remove nothing' })
    .option('gc', { type: 'boolean', describe: 'run gc afterwards, to free the space (takes the exclusive lock)' })
    .option('max-unused', { type: 'string', default: '5%', describe: 'with --gc: see gc --max-unused' })
    .option('lock-wait', LOCK_WAIT_OPTION)
    .example('$0 forget --keep-daily 7 --keep-weekly 5 --keep-monthly 12 --gc', 'a common cron policy')
    .example('$0 forget 1a2b3c4d latest~3', 'remove two snapshots by name')
    .epilogue('Times are the snapshots\' own, in UTC. A policy that would keep no snapshot of some group is refused: '
      + 'name the snapshots to remove a whole group. With --gc, what forget removed is printed before gc starts, and stays printed if gc fails '
      + '(with --json the summary then has gc: null and the error follows on stderr). '
      + 'With --json: {"type":"summary", dry_run, groups:[{key, keep:[{id,time,reasons}], remove:[...]}], removed, kept, gc}.'),
  handler: async (argv) => {
    const policy = {
      last: argv['keep-last'], hourly: argv['keep-hourly'], daily: argv['keep-daily'], weekly: argv['keep-weekly'],
      monthly: argv['keep-monthly'], yearly: argv['keep-yearly'], tags: argv['keep-tag'],
      within: argv['keep-within'] !== undefined ? parseDuration(argv['keep-within']) : undefined,
    };
    const groupBy = parseGroupBy(argv['group-by']);
    const maxUnused = parseMaxUnused(argv['max-unused']);
    const lockWait = lockWaitMs(argv);
    const report = await withRepository(argv, { lock: 'records', command: 'forget', lockWaitMs: lockWait }, (repo) => forget(repo, {
      snapshots: argv.snapshots.map((s) => selectScoped(repo.catalog, s, scopeOf(argv)).id),
      policy, ...scopeOf(argv), groupBy, dryRun: argv['dry-run'],
    }));
    // What forget changed is printed before gc starts, so it is said whatever becomes of gc
    // (a lock it cannot get, a damaged repository); with --json the summary then has gc: null.
    if (!argv.json) summary(argv, null, () => formatForget(report));
    let gcReport: GcReport | null = null;
    try {
      if (argv.gc && !argv['dry-run']) {
        const progress = progressFor(argv, 'gc');
        try {
          gcReport = await withRepository(argv, { lock: 'exclusive', command: 'gc', lockWaitMs: lockWait }, (repo) => gc(repo, { maxUnused, reporter: progress }));
        } finally {
          progress.finish();
        }
      }
    } finally {
      const { dryRun, ...rest } = report;
      const done = gcReport;
      summary(argv, { type: 'summary', dry_run: dryRun, ...rest, gc: done }, () => (done ? `\n${formatGc(done)}` : ''));
    }
  },
};
