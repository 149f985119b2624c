// `dedupfs copy --from-repo SRC [SNAPSHOT...]`: copy snapshots from SRC into the repository
// --repo names (folder or bucket either way), sending only the blocks it lacks.
import type { CommandModule } from 'yargs';
import { copySnapshots } from '../../src/lifecycle/index.js';
import { chunkerFromConfig } from '../../src/repo/config.js';
import { defaultRepoPath } from '../../src/core/layout.js';
import { openRepository } from '../../src/repo/repository.js';
import { formatCopy } from '../../src/ui/formatCopy.js';
import { ENCRYPTION_OPTION, LOCK_WAIT_OPTION, bucketRequests, lockWaitMs, newEncryption, notice, passwordSource, progressFor, summary, withRepository, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs { snapshots: string[]; 'from-repo': string; init?: boolean; encryption?: string; 'from-password-file'?: string; 'from-password-command'?: string }

export const copyCommand: CommandModule<GlobalArgs, Args> = {
  command: 'copy [snapshots..]',
  describe: 'copy snapshots from another repository (folder or S3 bucket), sending only the blocks this one lacks',
  builder: (y) => y
    .positional('snapshots', { type: 'string', array: true, default: [] as string[], describe: 'snapshots of SRC to copy (id, prefix, latest, latest~N); default: all' })
    .option('from-repo', { type: 'string', demandOption: true, requiresArg: true, describe: 'the repository to copy from (a folder or s3:URL/BUCKET[/PREFIX])' })
    .option('init', { type: 'boolean', describe: 'create the destination if it does not exist, chunking and hashing as SRC does (an encrypted SRC: its content key too, so blocks are copied as they are)' })
    .option('encryption', ENCRYPTION_OPTION)
    .option('from-password-file', { type: 'string', requiresArg: true, describe: 'an encrypted SRC: read its password from this file (default: as for the destination, --password-file or $DEDUPFS_PASSWORD_FILE)' })
    .option('from-password-command', { type: 'string', requiresArg: true, describe: 'an encrypted SRC: run this shell command for its password' })
    .option('lock-wait', LOCK_WAIT_OPTION)
    .example('$0 copy --init --repo /tmp/offsite --from-repo "$DEDUPFS_REPO"', 'copy every snapshot of the usual repository into a new folder one')
    .example('$0 copy --repo s3:https://s3.example.net/backups/hosts --from-repo ~/.dedupfs latest', 'send the newest snapshot off-site')
    .example('$0 copy --init --repo s3:https://s3.example.net/backups/hosts --from-repo ~/.dedupfs --from-password-file ~/.dedupfs-pass', 'a new encrypted bucket (the default for a bucket) from a folder')
    .epilogue('When both repositories address blocks alike (both plain, chunking and hashing alike; or both encrypted with one content key: copy --init and '
      + 'init --copy-chunker-params-from SRC make such a destination), blocks are copied as they are (opened, and sealed again under the '
      + "destination's keys) and snapshots keep their ids. Otherwise (plain to encrypted, encrypted to plain, other keys or chunk sizes) every file is read "
      + 'from SRC and chunked again as ingest does, and each copy gets a new id that names the source snapshot; either way only blocks the destination '
      + 'lacks are written, and a snapshot the destination has already is skipped. A new destination (--init) is encrypted when it is a bucket or SRC is encrypted, '
      + 'unless --encryption none. Both repositories are locked shared; both need full keys. '
      + 'With --json: {"type":"summary", mode:"blocks"|"rechunk", copied:[{id, time, blocks, rawBytes, from?}], skipped:[ids], requests} (requests: for a destination in a bucket).'),
  handler: async (argv) => {
    const fromPassword = argv['from-password-file'] || argv['from-password-command']
      ? { file: argv['from-password-file'], command: argv['from-password-command'] } : passwordSource(argv);
    const from = await openRepository(argv['from-repo'], {
      lock: 'shared', command: 'copy', lockWaitMs: lockWaitMs(argv), readOnly: true, password: fromPassword, onNotice: (msg) => notice(argv, msg),
    });
    try {
      const progress = progressFor(argv, 'copying');
      const encryption = newEncryption(argv.encryption, defaultRepoPath(argv.repo), from.keys ? 'v1' : undefined);
      const init = {
        chunker: chunkerFromConfig(from.config), hash: from.config.hash, compression: from.config.compression, encryption,
        // an encrypted destination of an encrypted SRC addresses as SRC does: blocks are copied as they are
        ...(from.keys && encryption === 'v1' ? { contentKey: from.keys.material.contentKey } : {}),
      };
      const report = await withRepository(argv, { lock: 'shared', command: 'copy', create: argv.init, init, lockWaitMs: lockWaitMs(argv) }, async (to) => {
        const onChunkAgain = () => notice(argv, `${from.dir} and ${to.dir} address blocks differently: every file is read and chunked again, and copies get new ids`);
        return { report: await copySnapshots(from, to, { snapshots: argv.snapshots, reporter: progress, onChunkAgain }), to: to.dir };
      });
      progress.finish();
      const requests = bucketRequests();
      summary(argv, { type: 'summary', ...report.report, ...(requests ? { requests } : {}) }, () => formatCopy(report.report, report.to));
    } finally {
      await from.close();
    }
  },
};
