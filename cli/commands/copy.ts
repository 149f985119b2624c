// `dedupfs copy --from-repo SRC [SNAPSHOT...]`: copy snapshots from SRC into the repository
// --repo names (folder or bucket either way), sending only the blocks it lacks.
import type { CommandModule } from 'yargs';
import { copySnapshots, refuseEncryptedCopy } from '../../src/lifecycle/index.js';
import { chunkerFromConfig } from '../../src/repo/config.js';
import { openRepository } from '../../src/repo/repository.js';
import { formatCopy } from '../../src/ui/formatCopy.js';
import { LOCK_WAIT_OPTION, bucketRequests, lockWaitMs, notice, progressFor, summary, withRepository, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs { snapshots: string[]; 'from-repo': string; init?: boolean }

export const copyCommand: CommandModule<GlobalArgs, Args> = {
  command: 'copy [snapshots..]',
  describe: 'copy snapshots from another repository (folder or S3 bucket), sending only the blocks this one lacks',
  builder: (y) => y
    .positional('snapshots', { type: 'string', array: true, default: [] as string[], describe: 'snapshots of SRC to copy (id, prefix, latest, latest~N); default: all' })
    .option('from-repo', { type: 'string', demandOption: true, requiresArg: true, describe: 'the repository to copy from (a folder or s3:URL/BUCKET[/PREFIX])' })
    .option('init', { type: 'boolean', describe: 'create the destination if it does not exist, chunking and hashing as SRC does' })
    .option('lock-wait', LOCK_WAIT_OPTION)
    .example('$0 copy --init --repo /tmp/offsite --from-repo "$DEDUPFS_REPO"', 'copy every snapshot of the usual repository into a new folder one')
    .example('$0 copy --repo s3:https://s3.example.net/backups/hosts --from-repo ~/.dedupfs latest', 'send the newest snapshot off-site')
    .epilogue('Both repositories must chunk and hash alike (copy --init, or init --copy-chunker-params-from SRC, makes such a one); '
      + 'otherwise copy refuses (exit 2) and changes nothing, as it does for an encrypted repository (not supported yet). Snapshots keep their ids; one the destination has already is skipped. '
      + 'Both repositories are locked shared. '
      + 'With --json: {"type":"summary", copied:[{id, time, blocks, rawBytes}], skipped:[ids], requests} (requests: for a destination in a bucket).'),
  handler: async (argv) => {
    const from = await openRepository(argv['from-repo'], { lock: 'shared', command: 'copy', lockWaitMs: lockWaitMs(argv), readOnly: true, onNotice: (msg) => notice(argv, msg) });
    try {
      refuseEncryptedCopy(from); // before --init makes a destination
      const progress = progressFor(argv, 'copying');
      const init = { chunker: chunkerFromConfig(from.config), hash: from.config.hash, compression: from.config.compression };
      const report = await withRepository(argv, { lock: 'shared', command: 'copy', create: argv.init, init, lockWaitMs: lockWaitMs(argv) },
        async (to) => ({ report: await copySnapshots(from, to, { snapshots: argv.snapshots, reporter: progress }), to: to.dir }));
      progress.finish();
      const requests = bucketRequests();
      summary(argv, { type: 'summary', ...report.report, ...(requests ? { requests } : {}) }, () => formatCopy(report.report, report.to));
    } finally {
      await from.close();
    }
  },
};
