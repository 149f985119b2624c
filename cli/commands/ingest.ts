// `dedupfs ingest PATH...`: store source trees as a new snapshot.
import type { CommandModule } from 'yargs';
import { ingest } from '../../src/ingest/ingest.js';
import { statSources } from '../../src/ingest/ingest.js';
import { parseDuration, durationToMs } from '../../src/core/duration.js';
import { formatIngestSummary } from '../../src/ui/formatSnapshot.js';
import { exitWithWarnings, progressFor, repeatable, summary, withRepository, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs {
  paths: string[]; tag: string[]; host?: string; exclude: string[]; 'exclude-file': string[];
  'one-file-system'?: boolean; 'dry-run'?: boolean;
}

export const ingestCommand: CommandModule<GlobalArgs, Args> = {
  command: 'ingest <paths..>',
  describe: 'store folders and files as a new snapshot',
  builder: (y) => y
    .positional('paths', { type: 'string', array: true, describe: 'folders or files to store', demandOption: true })
    .option('tag', repeatable('tag the snapshot'))
    .option('host', { type: 'string', describe: 'host name to record (default: this host)' })
    .option('exclude', repeatable('skip names (no slash) or paths (with a slash) matching a glob'))
    .option('exclude-file', repeatable('read exclude patterns from a file, one a line'))
    .option('one-file-system', { type: 'boolean', describe: 'do not cross into other file systems' })
    .option('dry-run', { type: 'boolean', describe: 'read and chunk everything, write nothing' })
    .option('lock-wait', { type: 'string', describe: 'wait this long for a lock (e.g. 30s, 5min)' })
    .example('$0 ingest /backups/today', 'store a folder')
    .example('$0 ingest --tag daily --exclude "*.tmp" /etc /home', 'store two folders in one snapshot'),
  handler: async (argv) => {
    await statSources(argv.paths); // a missing source fails before the repository is created or locked
    const progress = progressFor(argv, argv['dry-run'] ? 'checking' : 'ingesting');
    const result = await withRepository(argv, {
      lock: 'shared', command: 'ingest', create: !argv['dry-run'], dryRun: argv['dry-run'],
      lockWaitMs: argv['lock-wait'] ? durationToMs(parseDuration(argv['lock-wait'])) : 0,
    }, (repo) => ingest(repo, {
      paths: argv.paths, tags: argv.tag, host: argv.host, excludes: argv.exclude, excludeFiles: argv['exclude-file'],
      oneFileSystem: argv['one-file-system'], dryRun: argv['dry-run'], reporter: progress,
    }));
    progress.finish();
    summary(argv, { type: 'summary', dry_run: result.dryRun, ...result.snapshot }, () => formatIngestSummary(result.snapshot, result.dryRun));
    exitWithWarnings(result.snapshot.warnings);
  },
};
