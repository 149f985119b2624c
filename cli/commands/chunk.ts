// `dedupfs chunk FILE...`: show where the chunker cuts the given files, with any parameters.
// For tuning chunk sizes and checking against other FastCDC implementations; no repository.
import type { CommandModule } from 'yargs';
import { Chunker, DEFAULT_CHUNKER_PARAMS, listChunks, parseChunkerParams } from '../../src/chunker/index.js';
import { formatBytes } from '../../src/core/size.js';
import { chunkReportJson, formatChunkReport } from '../../src/ui/chunkReport.js';
import { output, type GlobalArgs } from '../shared.js';

interface Args extends GlobalArgs { files: string[]; min?: string; avg?: string; max?: string; level?: number; seed?: string }

const d = DEFAULT_CHUNKER_PARAMS;

export const chunkCommand: CommandModule<GlobalArgs, Args> = {
  command: 'chunk <files..>',
  describe: 'show the content-defined chunks (FastCDC 2020) of files',
  builder: (y) => y
    .positional('files', { type: 'string', array: true, demandOption: true, default: undefined, describe: 'files to chunk' })
    .option('min', { type: 'string', defaultDescription: formatBytes(d.min), describe: 'smallest chunk: bytes, or with a suffix K, M, KiB, MiB (all 1024-based)' })
    .option('avg', { type: 'string', defaultDescription: formatBytes(d.avg), describe: 'target average chunk' })
    .option('max', { type: 'string', defaultDescription: formatBytes(d.max), describe: 'largest chunk' })
    .option('level', { type: 'number', choices: [0, 1, 2, 3], defaultDescription: String(d.level), describe: 'normalization level: higher keeps sizes nearer avg' })
    .option('seed', { type: 'string', defaultDescription: String(d.seed), describe: '64-bit gear table seed, decimal or 0x hex' })
    .epilogue(`Prints one line per chunk (offset, length, SHA-256 of its bytes), then a summary line:
count, total, mean, standard deviation, smallest and largest length, in bytes. With several
files, each is headed by its name.

--json prints, for one file, an array of {offset, length, hash, sha256}; for several, an array
of {file, chunks: [...]}. hash is the 64-bit gear hash at the cut, as a decimal string.

Limits: min 64 B..1 MiB, avg 256 B..4 MiB, max 1 KiB..16 MiB, and min <= avg <= max. The
defaults are those of a new repository. With the same parameters the cuts are those of
fastcdc-rs (FastCDC 2020).`),
  handler: async (argv) => {
    const chunker = new Chunker(parseChunkerParams(argv));
    const files = await listChunks(argv.files, chunker);
    output(argv, chunkReportJson(files), () => formatChunkReport(files));
  },
};
