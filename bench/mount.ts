// Reading through a real FUSE mount (`dedupfs mount` in a child process, read by dd, cat and ls
// in other child processes): sequential MB/s of one large file, MB/s of cat over every file of a
// snapshot, ls -lR over 10,000 files, and the time to the first byte of a fresh mount. Each
// figure is taken on a fresh mount (so the kernel's page cache of the mount is cold) from a warm
// repository (its packs in the page cache), three times: the table shows the median and best.
import { mkdir, mkdtemp, open, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTable } from '../src/ui/formatSnapshot.js';
import { buildSourceTree } from '../test/helpers/sourceTree.js';
import { startMount, type MountProcess } from '../test/mount/mountProcess.js';
import { DEDUPFS, runTimed, type Timed } from './runTimed.js';

const LARGE = 512 << 20;
const SMALL_FILES = 10_000;
const RUNS = 3;
const MB = 1e6;

async function sh(script: string): Promise<Timed> {
  const r = await runTimed('sh', ['-c', script]);
  if (r.code !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  return r;
}

/** Opens `path` and reads its first byte (from this process: the mount is served by a child). */
async function firstByteMs(path: string): Promise<number> {
  const started = performance.now();
  const fh = await open(path);
  try {
    await fh.read(Buffer.alloc(1), 0, 1, 0);
    return performance.now() - started;
  } finally {
    await fh.close();
  }
}

async function withMount<T>(repo: string, mountpoint: string, work: (m: MountProcess) => Promise<T>): Promise<{ value: T; peakRssMiB: number }> {
  const cleanups: Array<() => Promise<void>> = [];
  const m = await startMount({ after: (fn) => cleanups.push(fn) }, { repo, mountpoint, args: ['--snapshot', 'latest'] });
  try {
    const value = await work(m);
    const status = await readFile(`/proc/${m.child.pid}/status`, 'utf8');
    return { value, peakRssMiB: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024 };
  } finally {
    for (const fn of cleanups) await fn(); // stops the mount process and unmounts
  }
}

export async function benchMount(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'dedupfs-bench-mount-'));
  try {
    const src = join(work, 'src'), repo = join(work, 'repo'), mnt = join(work, 'mnt');
    await mkdir(src);
    await mkdir(mnt);
    process.stdout.write(`generating ${LARGE >> 20} MiB file and ${SMALL_FILES} small files...\n`);
    await buildSourceTree(src, { smallFiles: SMALL_FILES, largeFile: LARGE });
    const ingest = await runTimed(DEDUPFS, ['ingest', '--init', '--quiet', '--json', src], { ...process.env, DEDUPFS_REPO: repo });
    if (ingest.code !== 0) throw new Error(`ingest failed: ${ingest.stderr}`);
    const totalBytes = JSON.parse(ingest.stdout).bytes as number;
    const files = (await readdir(src, { recursive: true })).length;
    await sh(`cat ${repo}/packs/*/*.pack > /dev/null`); // a warm repository

    const rows: string[][] = [];
    let peak = 0;
    const measure = async (what: string, unit: 'MB/s' | 'ms' | 's', once: () => Promise<number>) => {
      const values: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const { value, peakRssMiB } = await withMount(repo, mnt, once);
        values.push(value);
        peak = Math.max(peak, peakRssMiB);
      }
      values.sort((a, b) => a - b);
      const best = unit === 'MB/s' ? values[values.length - 1] : values[0];
      const digits = unit === 's' ? 2 : 0;
      rows.push([what, values[Math.floor(values.length / 2)].toFixed(digits), best.toFixed(digits), unit]);
    };
    await measure('time to first byte (fresh mount: open and read 1 byte of large.bin)', 'ms', () => firstByteMs(join(mnt, 'large.bin')));
    await measure(`sequential read, ${LARGE >> 20} MiB file (dd bs=1M)`, 'MB/s', async () =>
      LARGE / MB / (await sh(`dd if=${mnt}/large.bin of=/dev/null bs=1M 2>/dev/null`)).seconds);
    await measure(`cat of every file (${files} entries, ${(totalBytes / MB).toFixed(0)} MB)`, 'MB/s', async () =>
      totalBytes / MB / (await sh(`find ${mnt} -type f -exec cat {} + > /dev/null`)).seconds);
    await measure(`ls -lR (${SMALL_FILES} small files and the rest)`, 's', async () => (await sh(`ls -lR ${mnt} > /dev/null`)).seconds);
    process.stdout.write(formatTable(['through the mount', 'median', 'best', ''], rows));
    process.stdout.write(`mount process peak RSS: ${peak.toFixed(0)} MiB (the default cache, 8 MiB)\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
