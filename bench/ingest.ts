// Ingest and restore through the real CLI on a generated corpus: MB/s of new data, re-ingest of
// the unchanged tree, ingest of a changed day, restore MB/s, peak RSS, logical/stored ratio; as
// root also an ingest with a cold page cache, and always a cp -r of the corpus as a baseline.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { changeCorpus, generateCorpus } from './corpus.js';
import { runTimed, type Timed } from './runTimed.js';
import { formatTable } from '../src/ui/formatSnapshot.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
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

export async function benchIngest(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'dedupfs-bench-'));
  try {
    const src = join(work, 'src'), repo = join(work, 'repo');
    process.stdout.write('generating corpus...\n');
    const logical = await generateCorpus(src);
    const env = { ...process.env, DEDUPFS_REPO: repo };
    const cli = async (...args: string[]): Promise<Timed> => cliIn(repo, ...args);
    const cliIn = async (repoDir: string, ...args: string[]): Promise<Timed> => {
      const r = await runTimed(process.execPath, [CLI, ...args], { ...env, DEDUPFS_REPO: repoDir });
      if (r.code !== 0 && r.code !== 3) throw new Error(`dedupfs ${args.join(' ')} failed: ${r.stderr}`);
      return r;
    };
    const rows: string[][] = [];
    const row = (what: string, r: Timed, rate?: number, note = '') =>
      rows.push([what, r.seconds.toFixed(2), rate ? (rate / MB / r.seconds).toFixed(0) : '', r.peakRssMiB?.toFixed(0) ?? 'n/a', note]);

    const first = await cli('ingest', '--quiet', '--json', src);
    row(`ingest, new data (${(logical / MB).toFixed(0)} MB)`, first, logical, `stored ${(JSON.parse(first.stdout).added.storedBytes / MB).toFixed(0)} MB`);
    const again = await cli('ingest', '--quiet', '--json', src);
    row('re-ingest, unchanged tree', again, undefined, `added ${(JSON.parse(again.stdout).added.storedBytes / 1e3).toFixed(0)} kB`);
    const changed = await changeCorpus(src, 3);
    const day2 = await cli('ingest', '--quiet', '--json', src);
    row(`ingest, day 2 (${changed} files changed)`, day2, undefined, `added ${(JSON.parse(day2.stdout).added.storedBytes / MB).toFixed(1)} MB`);
    const restored = await cli('restore', '--quiet', 'latest', join(work, 'restored'));
    row('restore latest, to disk', restored, logical);
    await rm(join(work, 'restored'), { recursive: true, force: true });
    // What the file system itself allows: creating ten thousand files costs more on some disks
    // than all the rest of a restore, so the same tree copied by cp is the baseline to compare.
    const copied = await runTimed('cp', ['-r', src, join(work, 'copied')]);
    row('cp -r of the corpus, to disk (baseline)', copied, logical);
    await rm(join(work, 'copied'), { recursive: true, force: true });
    if (existsSync('/dev/shm')) {
      const inMemory = await mkdtemp('/dev/shm/dedupfs-bench-');
      try {
        row('restore latest, to tmpfs (/dev/shm)', await cli('restore', '--quiet', 'latest', join(inMemory, 'restored')), logical);
      } finally {
        await rm(inMemory, { recursive: true, force: true });
      }
    }
    // A backup reads data the page cache does not hold: the day-2 tree into a new repository
    // after the caches are dropped (root only; the row is left out otherwise). Last, so that
    // it leaves the other figures alone.
    if (dropPageCache()) {
      const cold = await cliIn(join(work, 'repo-cold'), 'ingest', '--quiet', '--json', src);
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
