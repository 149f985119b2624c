// Writing through the writable mount (`mount --writable`, served by a child process) against
// `dedupfs ingest` of the same ~200 MB corpus in the same run: cp -a of the corpus into the
// mount, the commit that stores it (`dedupfs commit`), and a second cp -a of the same corpus
// (which should store almost nothing new), then reading it all back through the mount and
// through a read-only mount of the snapshot committed, twice each (the second warm). Each figure
// is MB/s of the corpus's logical size, with its ratio to ingest's; the mount's peak RSS too. Then two
// costs apart from the corpus: a 1-byte write into a stored 200 MB file and its commit
// (chunk-level copy-up), and 10,000 small files by cp -a into the mount against ingest (FUSE
// round trips per file).
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTable } from '../src/ui/formatSnapshot.js';
import { startMount } from '../test/mount/mountProcess.js';
import { generateCorpus, type CorpusSpec } from './corpus.js';
import { DEDUPFS, runTimed, type Timed } from './runTimed.js';

const CORPUS: CorpusSpec = { textBytes: 64 << 20, binaryBytes: 64 << 20, smallFiles: 2_000, largeFiles: 1, largeFileBytes: 64 << 20 };
const SMALL: CorpusSpec = { textBytes: 0, binaryBytes: 0, smallFiles: 10_000, largeFiles: 0, largeFileBytes: 0 };
const MB = 1e6;

async function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  const r = await runTimed(cmd, args, env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r;
}

export async function benchWritableMount(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'dedupfs-bench-writable-'));
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const src = join(work, 'src'), mnt = join(work, 'mnt');
    await mkdir(src);
    await mkdir(mnt);
    process.stdout.write('generating corpus...\n');
    const logical = await generateCorpus(src, CORPUS);
    const env = (repo: string) => ({ ...process.env, DEDUPFS_REPO: repo });
    const rows: string[][] = [];
    let ingestSeconds = 0;
    const vsIngest = (seconds: number) => (ingestSeconds ? `${(ingestSeconds / seconds).toFixed(2)}x ingest` : '');
    const row = (what: string, t: Timed, extra = vsIngest(t.seconds)) => rows.push([what, t.seconds.toFixed(2), (logical / MB / t.seconds).toFixed(0), extra]);
    const together = (what: string, a: Timed, b: Timed) =>
      rows.push([what, (a.seconds + b.seconds).toFixed(2), (logical / MB / (a.seconds + b.seconds)).toFixed(0), vsIngest(a.seconds + b.seconds)]);

    row('cp -a of the corpus to disk (baseline)', await run('cp', ['-a', src, join(work, 'plain')]));
    await rm(join(work, 'plain'), { recursive: true });
    const ingest = await run(DEDUPFS, ['ingest', '--init', '-q', src], env(join(work, 'repo-ingest')));
    row('dedupfs ingest of the corpus (new repository)', ingest, '');
    ingestSeconds = ingest.seconds;
    const repo = join(work, 'repo-mount');
    await run(DEDUPFS, ['init', '-q'], env(repo));
    const m = await startMount({ after: (fn) => cleanups.push(fn) }, { repo, mountpoint: mnt, args: ['--writable'] });
    const copy1 = await run('cp', ['-a', src, join(mnt, 'first')]);
    const commit1 = await run(DEDUPFS, ['commit', '--json', mnt], env(repo));
    row('cp -a into the writable mount', copy1);
    row('  then dedupfs commit', commit1, `${(JSON.parse(commit1.stdout).added.rawBytes / MB).toFixed(0)} MB new`);
    together('  cp -a and commit together', copy1, commit1);
    const copy2 = await run('cp', ['-a', src, join(mnt, 'second')]);
    const commit2 = await run(DEDUPFS, ['commit', '--json', mnt], env(repo));
    row('the same corpus again: cp -a', copy2);
    row('  then dedupfs commit', commit2, `${(JSON.parse(commit2.stdout).added.rawBytes / MB).toFixed(2)} MB new`);
    together('  cp -a and commit together', copy2, commit2);
    const readOnly = join(work, 'ro');
    await mkdir(readOnly);
    await startMount({ after: (fn) => cleanups.push(fn) }, { repo, mountpoint: readOnly, args: ['--snapshot', 'latest'] });
    const readBack = (root: string) => run('sh', ['-c', `find ${root}/first -type f -exec cat {} + > /dev/null`]);
    for (const pass of ['', ' again']) {
      row(`read back through the writable mount (find | cat)${pass}`, await readBack(mnt), '');
      row(`read back through a read-only mount of the commit${pass}`, await readBack(readOnly), '');
    }
    await run('sh', ['-c', `head -c 200000000 /dev/urandom > ${mnt}/big.bin`]);
    await run(DEDUPFS, ['commit', '-q', mnt], env(repo));
    const poke = await run('sh', ['-c', `printf X | dd of=${mnt}/big.bin bs=1 count=1 seek=100000000 conv=notrunc status=none`]);
    const commit3 = await run(DEDUPFS, ['commit', '--json', mnt], env(repo));
    rows.push(['1-byte write into a stored 200 MB file', poke.seconds.toFixed(2), '', '']);
    rows.push(['  then dedupfs commit', commit3.seconds.toFixed(2), '', `${(JSON.parse(commit3.stdout).added.rawBytes / MB).toFixed(2)} MB new`]);
    const small = join(work, 'small');
    await mkdir(small);
    await generateCorpus(small, SMALL);
    const files = SMALL.smallFiles;
    const perSecond = (t: Timed) => [t.seconds.toFixed(2), '', `${(files / t.seconds).toFixed(0)} files/s`];
    rows.push(['10,000 small files: dedupfs ingest', ...perSecond(await run(DEDUPFS, ['ingest', '--init', '-q', small], env(join(work, 'repo-small'))))]);
    rows.push(['  cp -a into the writable mount', ...perSecond(await run('cp', ['-a', small, join(mnt, 'small')]))]);
    rows.push(['  then dedupfs commit', ...perSecond(await run(DEDUPFS, ['commit', '-q', mnt], env(repo)))]);
    const status = await readFile(`/proc/${m.child.pid}/status`, 'utf8');
    process.stdout.write(formatTable(['writable mount', 'seconds', 'MB/s', ''], rows));
    process.stdout.write(`corpus ${(logical / MB).toFixed(0)} MB; mount process peak RSS ${(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024).toFixed(0)} MiB\n`);
  } finally {
    for (const fn of cleanups) await fn();
    await rm(work, { recursive: true, force: true });
  }
}
