// `dedupfs tag SNAPSHOT... --add T | --remove T | --set T`: change snapshots' tags.
import type { CommandModule } from 'yargs';
import { tagSnapshots } from '../../src/catalog/tagSnapshots.js';
import { formatTag, tagJson } from '../../src/ui/formatTag.js';
import { LOCK_WAIT_OPTION, lockWaitMs, repeatable, withRepository, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs { snapshots: string[]; add: string[]; remove: string[]; set: string[] }

export const tagCommand: CommandModule<GlobalArgs, Args> = {
  command: 'tag <snapshots..>',
  describe: 'add, remove or set the tags of snapshots (no block is touched)',
  builder: (y) => y
    .option('add', repeatable('add this tag'))
    .option('remove', repeatable('remove this tag'))
    .option('set', repeatable("replace all tags with these (--set '' removes every tag)"))
    .positional('snapshots', { type: 'string', array: true, describe: 'snapshots to change (id, prefix, latest, latest~N)', demandOption: true })
    .option('lock-wait', LOCK_WAIT_OPTION)
    .example('$0 tag latest --add keep', 'mark the newest snapshot (forget --keep-tag keep spares it)')
    .example('$0 tag 1a2b3c4d --remove daily --add monthly', 'swap a tag')
    .epilogue('A snapshot\'s id is the hash of its record, tags included: a re-tagged snapshot gets a new id, and its record keeps '
      + 'the id it was made with ("original") and the one it replaces ("replaces"). The new record is written and synced before the '
      + 'old one is removed, so a kill at any moment leaves the snapshot listed once. Takes a records lock, like forget: an ingest or restore goes on beside it, another tag or forget waits.\n'
      + 'With --json: {"type":"snapshot", id, previous, original, tags, changed} per snapshot, then {"type":"summary", changed, unchanged, cleaned}.'),
  handler: async (argv) => {
    const report = await withRepository(argv, { lock: 'records', command: 'tag', lockWaitMs: lockWaitMs(argv) }, (repo) =>
      tagSnapshots(repo.catalog, repo.snapshotFiles, { snapshots: argv.snapshots, add: argv.add, remove: argv.remove, set: argv.set.length ? argv.set : undefined }));
    if (argv.json) process.stdout.write(tagJson(report).map((o) => `${JSON.stringify(o)}\n`).join(''));
    else if (!argv.quiet) process.stdout.write(formatTag(report));
  },
};
