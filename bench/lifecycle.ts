// gc and check through the real CLI on a repository of about 1 GB (DEDUPFS_BENCH_LIFECYCLE_MB)
// with 30% of it dead: a snapshot of 4 MiB random files, then one without every third of them
// (numbers ending in 1, 4, 7), then the first is forgotten. The dead blocks are scattered over the packs (ingest reads four
// files at once), so gc both deletes and rewrites packs. Reported: gc seconds, MB freed and
// copied, and check --read-data MB/s over the pack bytes it reads.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEDUPFS, runTimed, type Timed } from './runTimed.js';
import { formatTable } from '../src/ui/formatSnapshot.js';

const MB = 1e6;
const FILE_BYTES = 4 << 20;
/** Files whose number ends in these digits are dropped from the second snapshot: 30%, spread evenly. */
const DEAD = [1, 4, 7];

export async function benchLifecycle(): Promise<void> {
  const totalMB = Number(process.env.DEDUPFS_BENCH_LIFECYCLE_MB ?? 1024);
  const work = await mkdtemp(join(tmpdir(), 'dedupfs-bench-lifecycle-'));
  try {
    const src = join(work, 'src'), repo = join(work, 'repo');
    const env = { ...process.env, DEDUPFS_REPO: repo };
    const cli = async (...args: string[]): Promise<Timed> => {
      const r = await runTimed(DEDUPFS, args, env);
      if (r.code !== 0) throw new Error(`dedupfs ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return r;
    };
    const files = Math.max(4, Math.round(totalMB * MB / FILE_BYTES));
    process.stdout.write(`generating ${files} random files of 4 MiB...\n`);
    await mkdir(src);
    for (let i = 0; i < files; i++) await writeFile(join(src, `f${i}.bin`), randomBytes(FILE_BYTES));
    const first = JSON.parse((await cli('ingest', '--init', '--quiet', '--json', src)).stdout).id as string;
    for (let i = 0; i < files; i++) if (DEAD.includes(i % 10)) await rm(join(src, `f${i}.bin`));
    await cli('ingest', '--quiet', src);
    await cli('forget', first);

    const rows: string[][] = [];
    const gc = await cli('gc', '--quiet', '--json');
    const g = JSON.parse(gc.stdout);
    rows.push([`gc (${(g.packBytes / MB).toFixed(0)} MB, ${(100 * g.deadBytes / g.packBytes).toFixed(0)}% dead)`, gc.seconds.toFixed(2), '',
      gc.peakRssMiB?.toFixed(0) ?? 'n/a',
      `freed ${(g.result.freedBytes / MB).toFixed(0)} MB: deleted ${g.result.deletedPacks - g.result.rewrittenPacks} packs, `
      + `rewrote ${g.result.rewrittenPacks} (copied ${(g.copyBytes / MB).toFixed(0)} MB)`]);
    const structure = await cli('check', '--quiet', '--json');
    rows.push(['check (structure only)', structure.seconds.toFixed(2), '', structure.peakRssMiB?.toFixed(0) ?? 'n/a', '']);
    const full = await cli('check', '--quiet', '--json', '--read-data');
    const bytes = JSON.parse(full.stdout).readData.bytes as number;
    rows.push([`check --read-data (${(bytes / MB).toFixed(0)} MB)`, full.seconds.toFixed(2), (bytes / MB / full.seconds).toFixed(0),
      full.peakRssMiB?.toFixed(0) ?? 'n/a', '']);
    process.stdout.write(formatTable(['step', 'seconds', 'MB/s', 'peak RSS MiB', ''], rows));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
