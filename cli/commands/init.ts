// `dedupfs init`: create a repository with chosen chunker parameters and compression.
import type { CommandModule } from 'yargs';
import { parseChunkerParams } from '../../src/chunker/index.js';
import { defaultRepoPath } from '../../src/repo/layout.js';
import { initRepository } from '../../src/repo/repository.js';
import { parseCompression } from '../../src/repo/config.js';
import { summary, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs { 'chunk-min'?: string; 'chunk-avg'?: string; 'chunk-max'?: string; compression: string; hash: string }

export const initCommand: CommandModule<GlobalArgs, Args> = {
  command: 'init',
  describe: 'create a repository (a first ingest creates ~/.dedupfs with the defaults; a repository named by --repo or DEDUPFS_REPO only with ingest --init)',
  builder: (y) => y
    .option('chunk-min', { type: 'string', describe: 'smallest chunk (default 16K)' })
    .option('chunk-avg', { type: 'string', describe: 'average chunk (default 64K)' })
    .option('chunk-max', { type: 'string', describe: 'largest chunk (default 256K)' })
    .option('compression', { type: 'string', default: 'zstd:1', describe: 'zstd, zstd:LEVEL (1-19) or none' })
    .option('hash', { type: 'string', choices: ['blake3', 'sha256'], default: 'blake3', describe: 'block hash' }),
  handler: async (argv) => {
    const dir = defaultRepoPath(argv.repo);
    const chunker = parseChunkerParams({ min: argv['chunk-min'], avg: argv['chunk-avg'], max: argv['chunk-max'] });
    const config = await initRepository(dir, { chunker, compression: parseCompression(argv.compression), hash: argv.hash as 'blake3' | 'sha256' });
    summary(argv, { type: 'summary', repository: dir, ...config }, () =>
      `created repository ${dir}\n  chunks ${config.chunker.min}/${config.chunker.avg}/${config.chunker.max} bytes (min/avg/max), hash ${config.hash}, compression ${config.compression.algorithm}${config.compression.algorithm === 'zstd' ? `:${config.compression.level}` : ''}\n`);
  },
};
