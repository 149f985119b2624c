// Encrypted against plain, on the same corpus through bin/dedupfs: ingest of new data into a
// new repository and restore of it to tmpfs, runs alternating plain / encrypted so the load of a
// shared machine falls on both alike; medians, and encrypted/plain ratios (the goal:
// within 10%). The password comes from a file; opening the keys (one scrypt, N=2^17: ~0.5 s
// of one core on a quiet machine) is a fixed cost per command, measured apart as the time of
// `snapshots` on the encrypted repository less that on the plain one, and the ratios are given
// with it and without it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCorpus, type CorpusSpec } from './corpus.js';
import { DEDUPFS, runTimed, type Timed } from './runTimed.js';
import { formatTable } from '../src/ui/formatSnapshot.js';

const MB = 1e6;
const RUNS = 3;
/** Half the default corpus: the ratio is what counts, and each run is a whole ingest. */
const CORPUS: CorpusSpec = { textBytes: 128 << 20, binaryBytes: 128 << 20, smallFiles: 5_000, largeFiles: 2, largeFileBytes: 96 << 20 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchEncryption(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'dedupfs-bench-crypto-'));
  const shm = await mkdtemp('/dev/shm/dedupfs-bench-crypto-');
  try {
    const src = join(work, 'src');
    process.stdout.write('generating corpus...\n');
    const logical = await generateCorpus(src, CORPUS);
    await writeFile(join(work, 'pass'), 'bench password\n');
    const env = { ...process.env, DEDUPFS_PASSWORD_FILE: join(work, 'pass'), XDG_CACHE_HOME: join(work, 'cache') };
    const run = async (repo: string, args: string[]): Promise<Timed> => {
      const r = await runTimed(DEDUPFS, args, { ...env, DEDUPFS_REPO: repo });
      if (r.code !== 0) throw new Error(`dedupfs ${args.join(' ')} failed: ${r.stderr}`);
      return r;
    };
    const times = {
      plain: { ingest: [] as number[], restore: [] as number[], open: [] as number[] },
      encrypted: { ingest: [] as number[], restore: [] as number[], open: [] as number[] },
    };
    for (let k = 0; k < RUNS; k++) {
      for (const mode of ['plain', 'encrypted'] as const) {
        const repo = join(work, `${mode}-${k}`);
        await run(repo, ['init', '-q', '--encryption', mode === 'plain' ? 'none' : 'v1']);
        times[mode].ingest.push((await run(repo, ['ingest', '-q', src])).seconds);
        times[mode].open.push((await run(repo, ['snapshots', '-q'])).seconds);
        const target = join(shm, `${mode}-${k}`);
        times[mode].restore.push((await run(repo, ['restore', '-q', 'latest', target])).seconds);
        await rm(target, { recursive: true, force: true });
        await rm(repo, { recursive: true, force: true });
      }
    }
    const opening = Math.max(0, median(times.encrypted.open) - median(times.plain.open));
    const rows = (['ingest', 'restore'] as const).map((step) => {
      const plain = median(times.plain[step]), sealed = median(times.encrypted[step]);
      return [`${step}${step === 'restore' ? ' to tmpfs' : ', new data'} (${(logical / MB).toFixed(0)} MB, median of ${RUNS})`,
        (logical / MB / plain).toFixed(0), (logical / MB / sealed).toFixed(0), (sealed / plain).toFixed(3), ((sealed - opening) / plain).toFixed(3)];
    });
    process.stdout.write(formatTable(['step', 'plain MB/s', 'encrypted MB/s', 'time encrypted/plain', 'less opening the keys'], rows));
    process.stdout.write(`opening the keys (scrypt N=2^17 r=8 p=1), per command: ${opening.toFixed(2)} s (snapshots: plain ${median(times.plain.open).toFixed(2)} s, encrypted ${median(times.encrypted.open).toFixed(2)} s)\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(shm, { recursive: true, force: true });
  }
}
