// `dedupfs restore SNAPSHOT[:PATH] TARGET`: write a snapshot's files back to disk.
import type { CommandModule } from 'yargs';
import { parseSnapshotPath, selectScoped } from '../../src/catalog/selectSnapshot.js';
import { restoreSnapshot } from '../../src/restore/restoreSnapshot.js';
import { OVERWRITE_POLICIES, type OverwritePolicy } from '../../src/restore/destination.js';
import { formatDryRunItem, formatRestoreSummary } from '../../src/ui/formatRestore.js';
import { ignoreClosedStdout } from '../../src/ui/streamOut.js';
import { LOCK_WAIT_OPTION, bucketRequests, exitWithWarnings, lockWaitMs, progressFor, repeatable, scopeOf, scopeOptions, summary, withRepository, type GlobalArgs, type ScopeArgs } from '../shared.js';

interface Args extends GlobalArgs, ScopeArgs {
  spec: string; target: string; include: string[]; exclude: string[]; overwrite: OverwritePolicy; delete?: boolean; 'dry-run'?: boolean;
}

export const restoreCommand: CommandModule<GlobalArgs, Args> = {
  command: 'restore <spec> <target>',
  describe: 'restore a snapshot, or a path in it, into a folder',
  builder: (y) => scopeOptions(y)
    .option('include', repeatable('restore only paths matching this glob, and what is below them'))
    .option('exclude', repeatable('skip paths matching this glob, and what is below them'))
    .positional('spec', { type: 'string', describe: 'SNAPSHOT[:PATH]; the root goes into TARGET itself, any other path to TARGET/<name>', demandOption: true })
    .positional('target', { type: 'string', describe: 'the folder to restore into (created if missing)', demandOption: true })
    .option('overwrite', {
      choices: OVERWRITE_POLICIES, default: 'never' as OverwritePolicy, requiresArg: true,
      describe: 'existing files that differ from the snapshot: keep them (never), replace them (if-changed), or replace every file, identical or not (always); identical files are skipped, folders never replaced',
    })
    .option('delete', { type: 'boolean', describe: 'remove what TARGET holds and the snapshot does not (inside TARGET only; not with --include/--exclude)' })
    .option('dry-run', { type: 'boolean', describe: 'print what would be restored; write nothing' })
    .option('lock-wait', LOCK_WAIT_OPTION)
    .example('$0 restore latest /tmp/restored', 'restore the newest snapshot')
    .example('$0 restore latest:/etc/hosts /tmp', 'restore one file as /tmp/hosts')
    .example('$0 restore latest /tmp/r --include "*.conf" --exclude "/var/cache"', 'restore part of a snapshot')
    .example('$0 restore latest /srv --overwrite if-changed --delete', 'make /srv what the snapshot holds')
    .epilogue('A restore can be run again: files already there and identical (size, mtime, content) are left alone, and a '
      + 'second restore of the same snapshot has nothing to do. Exit status 3 when some entries were skipped (files that differ and '
      + 'are kept, unsafe names) or could not be restored (damaged blocks); the others are restored. Exit status 1 when an --include '
      + 'matches nothing. With --json: one summary object {"type":"summary", files, dirs, bytes, unchanged, kept, deleted, warnings, errors, ...}.'),
  handler: async (argv) => {
    const progress = progressFor(argv, argv['dry-run'] ? 'checking' : 'restoring');
    const dryRunLines = argv['dry-run'] && !argv.json;
    if (dryRunLines) ignoreClosedStdout();
    const { selector, path } = parseSnapshotPath(argv.spec);
    const result = await withRepository(argv, { lock: 'shared', command: 'restore', readOnly: true, lockWaitMs: lockWaitMs(argv) }, (repo) => restoreSnapshot(repo, {
      snapshot: selectScoped(repo.catalog, selector, scopeOf(argv)).id, path, target: argv.target, include: argv.include, exclude: argv.exclude,
      overwrite: argv.overwrite, delete: argv.delete, dryRun: argv['dry-run'], reporter: progress,
      onItem: dryRunLines ? (item) => process.stdout.write(formatDryRunItem(item)) : undefined,
    }));
    progress.finish();
    const { dryRun, ...counts } = result;
    const requests = bucketRequests();
    summary(argv, { type: 'summary', dry_run: dryRun, ...counts, ...(requests ? { requests } : {}) }, () => formatRestoreSummary(result));
    exitWithWarnings(result.warnings + result.errors);
  },
};
