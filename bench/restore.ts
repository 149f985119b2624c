// Restore into tmpfs (/dev/shm) of the bench corpus, plain and encrypted, through bin/dedupfs:
// MB/s, CPU time (user + system, all threads) and peak RSS, medians of alternating runs. With
// DEDUPFS_BENCH_RESTORE_BASELINE=DIR, the dedupfs of another built checkout (DIR/bin/dedupfs)
// restores the same repositories in the same rounds, so a change is measured before/after under
// the same load. DEDUPFS_BENCH_RESTORE_RUNS: rounds (default 5).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CORPUS, generateCorpus } from './corpus.js';
import { DEDUPFS, runTimed, type Timed, median } from './runTimed.js';
import { formatTable } from '../src/ui/formatSnapshot.js';

const MB = 1e6;
const RUNS = Number(process.env.DEDUPFS_BENCH_RESTORE_RUNS ?? 5);
const BASELINE = process.env.DEDUPFS_BENCH_RESTORE_BASELINE;

export async function benchRestore(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'dedupfs-bench-restore-'));
  const shm = await mkdtemp('/dev/shm/dedupfs-bench-restore-');
  try {
    const src = join(work, 'src');
    process.stdout.write('generating corpus...\n');
    const logical = await generateCorpus(src, DEFAULT_CORPUS);
    await writeFile(join(work, 'pass'), 'bench password\n');
    const env = { ...process.env, DEDUPFS_PASSWORD_FILE: join(work, 'pass'), XDG_CACHE_HOME: join(work, 'cache') };
    const dedupfs = async (bin: string, repo: string, args: string[]): Promise<Timed> => {
      const r = await runTimed(bin, args, { ...env, DEDUPFS_REPO: repo });
      if (r.code !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${r.stderr}`);
      return r;
    };
    const modes = ['plain', 'encrypted'] as const;
    for (const mode of modes) {
      await dedupfs(DEDUPFS, join(work, mode), ['init', '-q', '--encryption', mode === 'plain' ? 'none' : 'v1']);
      await dedupfs(DEDUPFS, join(work, mode), ['ingest', '-q', src]);
    }
    const builds = [['this', DEDUPFS], ...(BASELINE ? [['baseline', join(BASELINE, 'bin', 'dedupfs')]] : [])];
    const runs = new Map<string, Timed[]>();
    for (let k = 0; k < RUNS; k++) {
      for (const mode of modes) {
        for (const [name, bin] of k % 2 ? [...builds].reverse() : builds) {
          const target = join(shm, `${mode}-${name}-${k}`);
          const r = await dedupfs(bin, join(work, mode), ['restore', '-q', 'latest', target]);
          runs.set(`${mode} ${name}`, [...runs.get(`${mode} ${name}`) ?? [], r]);
          await rm(target, { recursive: true, force: true });
        }
      }
    }
    const rows = modes.flatMap((mode) => builds.map(([name]) => {
      const rs = runs.get(`${mode} ${name}`)!;
      const wall = median(rs.map((r) => r.seconds));
      const base = BASELINE ? median(runs.get(`${mode} baseline`)!.map((r) => r.seconds)) : wall;
      return [`${mode}, ${name}`, (logical / MB / wall).toFixed(0), wall.toFixed(2), median(rs.map((r) => r.cpuSeconds ?? NaN)).toFixed(2),
        Math.max(...rs.map((r) => r.peakRssMiB ?? NaN)).toFixed(0), (base / wall).toFixed(2)];
    }));
    process.stdout.write(formatTable(['restore to tmpfs', 'MB/s', 'wall s', 'CPU s', 'peak RSS MiB (highest)', 'speed vs baseline'], rows));
    process.stdout.write(`corpus ${(logical / MB).toFixed(0)} MB; medians of ${RUNS} alternating rounds${BASELINE ? `; baseline: ${BASELINE}` : ''}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(shm, { recursive: true, force: true });
  }
}
