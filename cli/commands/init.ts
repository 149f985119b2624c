// `dedupfs init`: create a repository with chosen chunker parameters, compression and encryption.
import type { CommandModule } from 'yargs';
import { parseChunkerParams } from '../../src/chunker/index.js';
import { defaultRepoPath } from '../../src/core/layout.js';
import { chunkerFromConfig, parseCompression, type RepoConfig } from '../../src/repo/config.js';
import { initRepository, openRepository } from '../../src/repo/repository.js';
import { ENCRYPTION_OPTION, newEncryption, notice, passwordSource, summary, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs {
  'chunk-min'?: string; 'chunk-avg'?: string; 'chunk-max'?: string; compression: string; hash: string; encryption?: string; 'copy-chunker-params-from'?: string;
  'from-password-file'?: string; 'from-password-command'?: string;
}

export const initCommand: CommandModule<GlobalArgs, Args> = {
  command: 'init',
  describe: 'create a repository (a first ingest creates ~/.dedupfs with the defaults; a repository named by --repo or DEDUPFS_REPO only with ingest --init)',
  builder: (y) => y
    .option('chunk-min', { type: 'string', describe: 'smallest chunk (default 16K)' })
    .option('chunk-avg', { type: 'string', describe: 'average chunk (default 64K)' })
    .option('chunk-max', { type: 'string', describe: 'largest chunk (default 256K)' })
    .option('compression', { type: 'string', default: 'zstd:1', describe: 'zstd, zstd:LEVEL (1-19) or none' })
    .option('hash', { type: 'string', choices: ['blake3', 'sha256'], default: 'blake3', describe: 'block hash (an encrypted repository uses keyed BLAKE3)' })
    .option('encryption', ENCRYPTION_OPTION)
    .option('copy-chunker-params-from', { type: 'string', requiresArg: true, describe: 'chunk and hash as this repository does, so dedupfs copy can copy blocks between them as they are (both encrypted: its content key too)' })
    .option('from-password-file', { type: 'string', requiresArg: true, describe: 'an encrypted --copy-chunker-params-from repository: read its password from this file (default: as for the new one)' })
    .option('from-password-command', { type: 'string', requiresArg: true, describe: 'an encrypted --copy-chunker-params-from repository: run this shell command for its password' })
    .conflicts('copy-chunker-params-from', ['chunk-min', 'chunk-avg', 'chunk-max'])
    .example('DEDUPFS_PASSWORD_FILE=~/.dedupfs-pass $0 init --encryption --repo /tmp/sealed', 'an encrypted repository; its password from a file')
    .example('$0 init --encryption none --repo /tmp/plain --chunk-avg 32K', 'a plain repository with smaller chunks')
    .epilogue('The password of an encrypted repository comes from --password-file FILE, --password-command CMD, DEDUPFS_PASSWORD_FILE, '
      + 'DEDUPFS_PASSWORD_COMMAND, or the terminal (asked twice), never from an argument; every later command reads it the same way. '
      + "More passwords, and write-only keys for cron hosts: 'dedupfs key'. See docs/ENCRYPTION.md. "
      + 'A repository in a bucket (s3:) is encrypted unless --encryption none is given; a folder stays plain unless --encryption is.'),
  handler: async (argv) => {
    const dir = defaultRepoPath(argv.repo);
    const encryption = newEncryption(argv.encryption, dir);
    const source = argv['copy-chunker-params-from'] ? await chunkingOf(argv['copy-chunker-params-from'], argv, encryption === 'v1') : undefined;
    const like = source?.config;
    const chunker = like ? chunkerFromConfig(like) : parseChunkerParams({ min: argv['chunk-min'], avg: argv['chunk-avg'], max: argv['chunk-max'] });
    const config = await initRepository(dir, {
      chunker, compression: parseCompression(argv.compression), hash: like?.hash ?? argv.hash as 'blake3' | 'sha256', encryption, password: passwordSource(argv),
      contentKey: source?.contentKey,
    });
    if (encryption === 'none') notice(argv, `repository ${dir} is not encrypted: anyone who can read its files can read the backups`);
    const sealed = config.encryption === 'v1';
    summary(argv, { type: 'summary', repository: dir, ...config, encryption: config.encryption ?? 'none' }, () =>
      `created repository ${dir}\n  chunks ${config.chunker.min}/${config.chunker.avg}/${config.chunker.max} bytes (min/avg/max), hash ${sealed ? 'keyed blake3' : config.hash}, compression ${config.compression.algorithm}${config.compression.algorithm === 'zstd' ? `:${config.compression.level}` : ''}, ${sealed ? 'encrypted (keys.json holds the keys)' : 'not encrypted'}\n`);
  },
};

/**
 * The config of another repository (init --copy-chunker-params-from) and, when both are
 * encrypted, its content key: the same keyed addresses and gear table, so copy takes its blocks
 * as they are. An encrypted one is opened with its password (--from-password-*, else as for the new one).
 */
async function chunkingOf(repo: string, argv: Args, sealed: boolean): Promise<{ config: RepoConfig; contentKey?: Buffer }> {
  const password = argv['from-password-file'] || argv['from-password-command'] ? { file: argv['from-password-file'], command: argv['from-password-command'] } : passwordSource(argv);
  const other = await openRepository(repo, { lock: 'none', command: 'init', readOnly: true, password });
  await other.close();
  return { config: other.config, ...(sealed && other.keys ? { contentKey: other.keys.material.contentKey } : {}) };
}
