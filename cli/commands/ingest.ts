// `dedupfs ingest PATH...`: store source trees as a new snapshot.
import type { CommandModule } from 'yargs';
import { ingest } from '../../src/ingest/ingest.js';
import { statSources } from '../../src/ingest/ingest.js';
import { readPathList } from '../../src/ingest/readPathList.js';
import { parseDuration, durationToMs } from '../../src/core/duration.js';
import { defaultRepoPath, repoIsNamed } from '../../src/core/layout.js';
import { formatIngestSummary, formatRecovered } from '../../src/ui/formatSnapshot.js';
import { formatRequests } from '../../src/ui/formatRequests.js';
import { abortOnSignal } from '../abortOnSignal.js';
import { ENCRYPTION_OPTION, bucketRequests, exitWithWarnings, newEncryption, notice, progressFor, repeatable, summary, withRepository, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs {
  paths: string[]; tag: string[]; host?: string; exclude: string[]; 'exclude-file': string[];
  'one-file-system'?: boolean; 'dry-run'?: boolean; init?: boolean; encryption?: string; stdin?: boolean; 'stdin-name': string;
  'files-from': string[]; 'files-from0': string[]; 'exclude-caches'?: boolean; 'exclude-if-present': string[]; verbose?: boolean;
}

export const ingestCommand: CommandModule<GlobalArgs, Args> = {
  command: 'ingest [paths..]',
  describe: 'store folders and files as a new snapshot',
  builder: (y) => y
    .positional('paths', { type: 'string', array: true, default: [] as string[], describe: 'folders or files to store' })
    .option('tag', repeatable('tag the snapshot'))
    .option('host', { type: 'string', describe: 'host name to record (default: this host)' })
    .option('exclude', repeatable('skip names (no slash) or paths (with a slash) matching a glob'))
    .option('exclude-file', repeatable('read exclude patterns from a file, one a line'))
    .option('files-from', repeatable('read the paths to store from a file, one a line (# comments and blank lines skipped)'))
    .option('files-from0', repeatable('read the paths to store from a file of NUL-separated paths (find -print0)'))
    .option('exclude-caches', { type: 'boolean', describe: 'store a folder holding a valid CACHEDIR.TAG with that tag file only' })
    .option('exclude-if-present', repeatable('store a folder holding a file of this name with that file only'))
    .option('stdin', { type: 'boolean', describe: 'store standard input as one file (no PATH then)' })
    .option('stdin-name', { type: 'string', default: 'stdin', requiresArg: true, describe: 'with --stdin: the file\'s name in the snapshot' })
    .option('one-file-system', { type: 'boolean', describe: 'do not cross into other file systems' })
    .option('verbose', { type: 'boolean', describe: 'list each new or changed file stored (stderr; {"type":"file"} lines with --json)' })
    .option('dry-run', { type: 'boolean', describe: 'read and chunk everything, write nothing' })
    .option('init', { type: 'boolean', describe: 'create the repository named by --repo or DEDUPFS_REPO if it does not exist (~/.dedupfs is created without it)' })
    .option('encryption', ENCRYPTION_OPTION)
    .option('lock-wait', { type: 'string', describe: 'wait this long for a lock (e.g. 30s, 5min)' })
    .example('$0 ingest /backups/today', 'store a folder')
    .example('$0 ingest --tag daily --exclude "*.tmp" /etc /home', 'store two folders in one snapshot')
    .example('$0 ingest --stdin --stdin-name hosts.txt --tag db < /etc/hosts', 'store standard input as one file (a dump: pg_dump db | dedupfs ingest --stdin ...)')
    .example('$0 ingest --exclude-caches --exclude-if-present .nobackup /etc', 'leave out caches and marked folders')
    .epilogue('Ctrl-C or SIGTERM stops the ingest: what was stored so far is kept (no snapshot is made) and the next ingest of '
      + 'the same data does not store it again; exit status 130 (SIGINT) or 143 (SIGTERM). Blocks left by an ingest that was killed '
      + 'outright (kill -9) are taken over by the next ingest.'),
  handler: async (argv) => {
    const paths = [...argv.paths];
    for (const f of argv['files-from']) paths.push(...await readPathList(f, false));
    for (const f of argv['files-from0']) paths.push(...await readPathList(f, true));
    if (!argv.stdin) await statSources(paths); // a missing source fails before the repository is created or locked
    const progress = progressFor(argv, argv['dry-run'] ? 'checking' : 'ingesting', argv.verbose);
    const interrupt = abortOnSignal();
    try {
      const result = await withRepository(argv, {
        lock: 'shared', command: 'ingest', create: !argv['dry-run'] && (argv.init || !repoIsNamed(argv.repo)), dryRun: argv['dry-run'], writeOnly: true,
        init: { encryption: newEncryption(argv.encryption, defaultRepoPath(argv.repo)) },
        lockWaitMs: argv['lock-wait'] ? durationToMs(parseDuration(argv['lock-wait'])) : 0,
      }, (repo) => (interrupt.arm(), ingest(repo, {
        paths, tags: argv.tag, host: argv.host, excludes: argv.exclude, excludeFiles: argv['exclude-file'],
        excludeCaches: argv['exclude-caches'], excludeIfPresent: argv['exclude-if-present'],
        stdin: argv.stdin ? { name: argv['stdin-name'], stream: process.stdin } : undefined,
        oneFileSystem: argv['one-file-system'], dryRun: argv['dry-run'], reporter: progress, signal: interrupt.signal,
      })));
      progress.finish();
      if (result.recovered?.blocks && !argv.json) notice(argv, formatRecovered(result.recovered));
      const requests = bucketRequests();
      summary(argv, { type: 'summary', dry_run: result.dryRun, ...result.snapshot, ...(result.recovered ? { recovered: result.recovered } : {}), ...(requests ? { requests } : {}) },
        () => formatIngestSummary(result.snapshot, result.dryRun) + (requests && argv.verbose ? formatRequests(requests) : ''));
      exitWithWarnings(result.snapshot.warnings);
    } finally {
      progress.finish();
      interrupt.dispose();
    }
  },
};
