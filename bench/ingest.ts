// Ingest and restore through the dedupfs command (bin/dedupfs) on a generated corpus: MB/s of
// new data, re-ingest of the unchanged tree, ingest of a changed day, restore MB/s, peak RSS,
// logical/stored ratio; as root also an ingest with a cold page cache, and always a cp -r of
// the corpus as a baseline.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changeCorpus, generateCorpus } from './corpus.js';
import { DEDUPFS, runTimed, type Timed } from './runTimed.js';
import { formatTable } from '../src/ui/formatSnapshot.js';

const MB = 1e6;

/** Drops the page cache (needs root); false when it cannot. */
function dropPageCache(): boolean {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

const RUNS = 3;

/** Runs `run` n times (k = 0..n-1): the run of median time, with the highest peak RSS of all. */
async function medianOf(n: number, run: (k: number) => Promise<Timed>): Promise<Timed> {
  const runs: Timed[] = [];
  for (let k = 0; k < n; k++) runs.push(await run(k));
  const peaks = runs.map((r) => r.peakRssMiB).filter((p): p is number => p !== null);
  const median = [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(n / 2)];
  return { ...median, peakRssMiB: peaks.length ? Math.max(...peaks) : null };
}

export async function benchIngest(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'dedupfs-bench-'));
  try {
    const src = join(work, 'src'), repo = join(work, 'repo');
    process.stdout.write('generating corpus...\n');
    const logical = await generateCorpus(src);
    const env = { ...process.env, DEDUPFS_REPO: repo };
    const cli = async (...args: string[]): Promise<Timed> => cliIn(repo, ...args);
    const cliIn = async (repoDir: string, ...args: string[]): Promise<Timed> => {
      const r = await runTimed(DEDUPFS, args, { ...env, DEDUPFS_REPO: repoDir });
      if (r.code !== 0 && r.code !== 3) throw new Error(`dedupfs ${args.join(' ')} failed: ${r.stderr}`);
      return r;
    };
    const rows: string[][] = [];
    const row = (what: string, r: Timed, rate?: number, note = '') =>
      rows.push([what, r.seconds.toFixed(2), rate ? (rate / MB / r.seconds).toFixed(0) : '', r.peakRssMiB?.toFixed(0) ?? 'n/a', note]);

    // Ingest of new data, restores and the copy are medians of RUNS runs (this machine is
    // noisy), with the highest peak memory of those runs. Each run writes to a new folder. On
    // disk none is removed before the end: creating files where many were just deleted costs
    // several times more there (see README), which would charge one run for the last one's rm.
    // On tmpfs each is removed after its run: memory this VM has not handed out recently costs
    // up to 2.7 s per GB to touch first, which would charge a run for the others' leftovers.
    const first = await medianOf(RUNS, (k) => cliIn(k === 0 ? repo : join(work, `repo-${k}`), 'ingest', '--init', '--quiet', '--json', src));
    row(`ingest, new data (${(logical / MB).toFixed(0)} MB, median of ${RUNS})`, first, logical, `stored ${(JSON.parse(first.stdout).added.storedBytes / MB).toFixed(0)} MB`);
    const again = await cli('ingest', '--quiet', '--json', src);
    row('re-ingest, unchanged tree', again, undefined, `added ${(JSON.parse(again.stdout).added.storedBytes / 1e3).toFixed(0)} kB`);
    const changed = await changeCorpus(src, 3);
    const day2 = await cli('ingest', '--quiet', '--json', src);
    row(`ingest, day 2 (${changed} files changed)`, day2, undefined, `added ${(JSON.parse(day2.stdout).added.storedBytes / MB).toFixed(1)} MB`);
    const restoreInto = (dir: string, removeEach: boolean) => medianOf(RUNS, async (k) => {
      const r = await cli('restore', '--quiet', 'latest', join(dir, `restored-${k}`));
      if (removeEach) await rm(join(dir, `restored-${k}`), { recursive: true, force: true });
      return r;
    });
    row(`restore latest, to disk (median of ${RUNS})`, await restoreInto(work, false), logical);
    // What the file system itself allows: creating ten thousand files costs more on some disks
    // than all the rest of a restore, so the same tree copied by cp is the baseline to compare.
    const copied = await medianOf(RUNS, (k) => runTimed('cp', ['-r', src, join(work, `copied-${k}`)]));
    row(`cp -r of the corpus, to disk (baseline, median of ${RUNS})`, copied, logical);
    if (existsSync('/dev/shm')) {
      const inMemory = await mkdtemp('/dev/shm/dedupfs-bench-');
      try {
        row(`restore latest, to tmpfs (/dev/shm, median of ${RUNS})`, await restoreInto(inMemory, true), logical);
      } finally {
        await rm(inMemory, { recursive: true, force: true });
      }
    }
    // A backup reads data the page cache does not hold: the day-2 tree into a new repository
    // after the caches are dropped (root only; the row is left out otherwise). Last, so that
    // it leaves the other figures alone.
    if (dropPageCache()) {
      const cold = await cliIn(join(work, 'repo-cold'), 'ingest', '--init', '--quiet', '--json', src);
      row('ingest, new data, cold page cache', cold, logical);
      await rm(join(work, 'repo-cold'), { recursive: true, force: true });
    }
    const stats = JSON.parse((await cli('stats', '--json')).stdout);
    process.stdout.write(formatTable(['step', 'seconds', 'MB/s', 'peak RSS MiB', ''], rows));
    process.stdout.write(`logical/stored over 3 snapshots: ${stats.totalRatio.toFixed(2)}x (dedup ${stats.dedupRatio.toFixed(2)}x, compression ${stats.compressionRatio.toFixed(2)}x)\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
