// `dedupfs init`: create a repository with chosen chunker parameters and compression.
import type { CommandModule } from 'yargs';
import { parseChunkerParams } from '../../src/chunker/index.js';
import { defaultRepoPath } from '../../src/repo/layout.js';
import { chunkerFromConfig, parseCompression, type RepoConfig } from '../../src/repo/config.js';
import { initRepository, openRepository } from '../../src/repo/repository.js';
import { summary, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs { 'chunk-min'?: string; 'chunk-avg'?: string; 'chunk-max'?: string; compression: string; hash: string; 'copy-chunker-params-from'?: string }

export const initCommand: CommandModule<GlobalArgs, Args> = {
  command: 'init',
  describe: 'create a repository (a first ingest creates ~/.dedupfs with the defaults; a repository named by --repo or DEDUPFS_REPO only with ingest --init)',
  builder: (y) => y
    .option('chunk-min', { type: 'string', describe: 'smallest chunk (default 16K)' })
    .option('chunk-avg', { type: 'string', describe: 'average chunk (default 64K)' })
    .option('chunk-max', { type: 'string', describe: 'largest chunk (default 256K)' })
    .option('compression', { type: 'string', default: 'zstd:1', describe: 'zstd, zstd:LEVEL (1-19) or none' })
    .option('hash', { type: 'string', choices: ['blake3', 'sha256'], default: 'blake3', describe: 'block hash' })
    .option('copy-chunker-params-from', { type: 'string', requiresArg: true, describe: 'chunk and hash as this repository does, so dedupfs copy can copy between them' })
    .conflicts('copy-chunker-params-from', ['chunk-min', 'chunk-avg', 'chunk-max']),
  handler: async (argv) => {
    const dir = defaultRepoPath(argv.repo);
    const like = argv['copy-chunker-params-from'] ? await configOf(argv['copy-chunker-params-from']) : undefined;
    const chunker = like ? chunkerFromConfig(like) : parseChunkerParams({ min: argv['chunk-min'], avg: argv['chunk-avg'], max: argv['chunk-max'] });
    const config = await initRepository(dir, { chunker, compression: parseCompression(argv.compression), hash: like?.hash ?? argv.hash as 'blake3' | 'sha256' });
    summary(argv, { type: 'summary', repository: dir, ...config }, () =>
      `created repository ${dir}\n  chunks ${config.chunker.min}/${config.chunker.avg}/${config.chunker.max} bytes (min/avg/max), hash ${config.hash}, compression ${config.compression.algorithm}${config.compression.algorithm === 'zstd' ? `:${config.compression.level}` : ''}\n`);
  },
};

/** The config of another repository (init --copy-chunker-params-from). */
async function configOf(repo: string): Promise<RepoConfig> {
  const other = await openRepository(repo, { lock: 'none', command: 'init', readOnly: true });
  await other.close();
  return other.config;
}
