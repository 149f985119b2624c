// Encrypted against plain, on the same corpus through bin/dedupfs: ingest of new data into a
// new repository and restore of it to tmpfs, runs alternating plain / encrypted so the load of a
// shared machine falls on both alike; medians of wall time and of CPU time (user + system, all
// threads: on a busy machine the steadier of the two), and encrypted/plain ratios (the issue's
// goal: within 10%). The password comes from a file; opening the keys (one scrypt, N=2^17, 128
// MiB) is a fixed cost per command, measured apart as `snapshots` on the encrypted repository
// less `snapshots` on the plain one, and the ratios are given with it and without it. Last, what
// padding each sealed block (a `--pad` not built: docs/ENCRYPTION.md) would cost in bytes, from
// the block lengths of the first encrypted repository's index.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCorpus, type CorpusSpec } from './corpus.js';
import { DEDUPFS, runTimed, type Timed, median } from './runTimed.js';
import { formatTable } from '../src/ui/formatSnapshot.js';
import { BlockIndex } from '../src/store/index/blockIndex.js';

const MB = 1e6;
const RUNS = 3;
/** Half the default corpus: the ratio is what counts, and each run is a whole ingest. */
const CORPUS: CorpusSpec = { textBytes: 128 << 20, binaryBytes: 128 << 20, smallFiles: 5_000, largeFiles: 2, largeFileBytes: 96 << 20 };

type Mode = 'plain' | 'encrypted';
type Step = 'ingest' | 'restore' | 'open';

export async function benchEncryption(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'dedupfs-bench-crypto-'));
  const shm = await mkdtemp('/dev/shm/dedupfs-bench-crypto-');
  try {
    const src = join(work, 'src');
    process.stdout.write('generating corpus...\n');
    const logical = await generateCorpus(src, CORPUS);
    await writeFile(join(work, 'pass'), 'bench password\n');
    const env = { ...process.env, DEDUPFS_PASSWORD_FILE: join(work, 'pass'), XDG_CACHE_HOME: join(work, 'cache') };
    const runs = new Map<string, Timed[]>();
    let padding = '';
    const run = async (mode: Mode, step: Step | 'init', repo: string, args: string[]): Promise<void> => {
      const r = await runTimed(DEDUPFS, args, { ...env, DEDUPFS_REPO: repo });
      if (r.code !== 0) throw new Error(`dedupfs ${args.join(' ')} failed: ${r.stderr}`);
      runs.set(`${mode} ${step}`, [...runs.get(`${mode} ${step}`) ?? [], r]);
    };
    for (let k = 0; k < RUNS; k++) {
      for (const mode of ['plain', 'encrypted'] as const) {
        const repo = join(work, `${mode}-${k}`), target = join(shm, `${mode}-${k}`);
        await run(mode, 'init', repo, ['init', '-q', '--encryption', mode === 'plain' ? 'none' : 'v1']);
        await run(mode, 'ingest', repo, ['ingest', '-q', src]);
        await run(mode, 'open', repo, ['snapshots', '-q']);
        await run(mode, 'restore', repo, ['restore', '-q', 'latest', target]);
        if (mode === 'encrypted' && k === 0) padding = await paddingCost(join(repo, 'index'));
        await rm(target, { recursive: true, force: true });
        await rm(repo, { recursive: true, force: true });
      }
    }
    const wall = (mode: Mode, step: Step) => median(runs.get(`${mode} ${step}`)!.map((r) => r.seconds));
    const cpu = (mode: Mode, step: Step) => median(runs.get(`${mode} ${step}`)!.map((r) => r.cpuSeconds ?? NaN));
    const openWall = Math.max(0, wall('encrypted', 'open') - wall('plain', 'open'));
    const openCpu = Math.max(0, cpu('encrypted', 'open') - cpu('plain', 'open'));
    const rows = (['ingest', 'restore'] as const).map((step) => [
      `${step}${step === 'restore' ? ' to tmpfs' : ', new data'} (${(logical / MB).toFixed(0)} MB, median of ${RUNS})`,
      (logical / MB / wall('plain', step)).toFixed(0), (logical / MB / wall('encrypted', step)).toFixed(0),
      (wall('encrypted', step) / wall('plain', step)).toFixed(2), ((wall('encrypted', step) - openWall) / wall('plain', step)).toFixed(2),
      `${cpu('plain', step).toFixed(2)} / ${cpu('encrypted', step).toFixed(2)}`,
      (cpu('encrypted', step) / cpu('plain', step)).toFixed(2), ((cpu('encrypted', step) - openCpu) / cpu('plain', step)).toFixed(2),
    ]);
    process.stdout.write(formatTable(['step', 'plain MB/s', 'encrypted MB/s', 'wall ratio', 'less keys', 'CPU s plain / encrypted', 'CPU ratio', 'less keys'], rows));
    process.stdout.write(`opening the keys (scrypt N=2^17 r=8 p=1), per command: ${openWall.toFixed(2)} s wall, ${openCpu.toFixed(2)} s CPU ` +
      `(snapshots: plain ${wall('plain', 'open').toFixed(2)} s, encrypted ${wall('encrypted', 'open').toFixed(2)} s)\n`);
    process.stdout.write(padding);
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(shm, { recursive: true, force: true });
  }
}

/** The bytes that padding every sealed block up to a size step would add, for two kinds of steps. */
async function paddingCost(indexPath: string): Promise<string> {
  const index = BlockIndex.open(indexPath, { readOnly: true });
  const steps: Array<[string, (n: number) => number]> = [
    ['the next multiple of 4 KiB', (n) => Math.ceil(n / 4096) * 4096],
    ['the next step of 1.25x from 512 bytes', (n) => { let s = 512; while (s < n) s = Math.ceil(s * 1.25); return s; }],
  ];
  let blocks = 0, stored = 0;
  const padded = steps.map(() => 0);
  for (const [, loc] of index.entries()) {
    blocks++;
    stored += loc.storedLength;
    steps.forEach(([, pad], i) => { padded[i] += pad(loc.storedLength); });
  }
  await index.close();
  return steps.map(([name], i) => `padding each sealed block to ${name}: +${((padded[i] - stored) / MB).toFixed(1)} MB on ${(stored / MB).toFixed(1)} MB stored `
    + `(+${((padded[i] / stored - 1) * 100).toFixed(1)}%, ${blocks} blocks)\n`).join('');
}
