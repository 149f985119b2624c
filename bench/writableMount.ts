// Writing through the writable mount (`mount --writable`, served by a child process) against
// `dedupfs ingest` of the same files in the same round: cp -a of a ~200 MB corpus into the
// mount and the commit that stores it (`dedupfs commit`), a second cp -a of the same corpus
// (which should store almost nothing new), reading it back through the mount and through a
// read-only mount of the commit; then a 1-byte write into a stored 200 MB file and its commit
// (chunk-level copy-up), a 512 MiB file copied in and committed (large-file speed), and 10,000
// small files by cp -a (FUSE round trips per file). Each figure comes with its ratio to ingest of
// the same files in the same round, and the mount process's peak RSS is given.
//
// DEDUPFS_BENCH_WRITABLE_BASELINE=DIR: the mount of another built checkout (DIR/dist/cli/main.js)
// runs the same rounds, alternating with this build's, so a change is measured before/after under
// the same load; DEDUPFS_BENCH_WRITABLE_RUNS rounds (default 3 with a baseline, else 1), medians.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTable } from '../src/ui/formatSnapshot.js';
import { CLI_PATH } from '../test/helpers/cli.js';
import { startMount, stopMount } from '../test/mount/mountProcess.js';
import { generateCorpus, type CorpusSpec } from './corpus.js';
import { DEDUPFS, runTimed, type Timed, median } from './runTimed.js';

const CORPUS: CorpusSpec = { textBytes: 64 << 20, binaryBytes: 64 << 20, smallFiles: 2_000, largeFiles: 1, largeFileBytes: 64 << 20 };
const SMALL: CorpusSpec = { textBytes: 0, binaryBytes: 0, smallFiles: 10_000, largeFiles: 0, largeFileBytes: 0 };
const LARGE: CorpusSpec = { textBytes: 0, binaryBytes: 0, smallFiles: 0, largeFiles: 1, largeFileBytes: 512 << 20 };
const MB = 1e6;
const BASELINE = process.env.DEDUPFS_BENCH_WRITABLE_BASELINE;
const RUNS = Number(process.env.DEDUPFS_BENCH_WRITABLE_RUNS ?? (BASELINE ? 3 : 1));

async function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  const r = await runTimed(cmd, args, env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r;
}

interface Inputs { work: string; src: string; small: string; large: string }
/** One round's figures: seconds by name (and `new:` names for MB stored, `rss` for MiB). */
type Figures = Map<string, number>;

const env = (repo: string) => ({ ...process.env, DEDUPFS_REPO: repo });

/** Ingest of each input into a new repository: the denominators of the round. */
async function ingestRound(inputs: Inputs, k: number): Promise<Figures> {
  const f: Figures = new Map();
  for (const [name, dir] of [['corpus', inputs.src], ['small', inputs.small], ['large', inputs.large]] as const) {
    const repo = join(inputs.work, `ingest-${name}-${k}`);
    f.set(name, (await run(DEDUPFS, ['ingest', '--init', '-q', dir], env(repo))).seconds);
    await rm(repo, { recursive: true, force: true });
  }
  return f;
}

/** The writable mount of the build whose CLI is `cli`, through one round. */
async function mountRound(cli: string, inputs: Inputs, tag: string): Promise<Figures> {
  const { work, src, small, large } = inputs;
  const f: Figures = new Map();
  const cleanups: Array<() => Promise<void>> = [];
  const repo = join(work, `repo-${tag}`), mnt = join(work, `mnt-${tag}`), readOnly = join(work, `ro-${tag}`);
  try {
    await mkdir(mnt);
    await mkdir(readOnly);
    await run(DEDUPFS, ['init', '-q'], env(repo));
    const m = await startMount({ after: (fn) => cleanups.push(fn) }, { repo, mountpoint: mnt, args: ['--writable'], cli });
    const commit = async (name: string) => {
      const c = await run(DEDUPFS, ['commit', '--json', mnt], env(repo));
      f.set(name, c.seconds);
      f.set(`new:${name}`, (JSON.parse(c.stdout).added?.rawBytes ?? 0) / MB);
    };
    f.set('cp1', (await run('cp', ['-a', src, join(mnt, 'first')])).seconds);
    await commit('commit1');
    f.set('cp2', (await run('cp', ['-a', src, join(mnt, 'second')])).seconds);
    await commit('commit2');
    const ro = await startMount({ after: (fn) => cleanups.push(fn) }, { repo, mountpoint: readOnly, args: ['--snapshot', 'latest'], cli });
    const readBack = (root: string) => run('sh', ['-c', `find ${root}/first -type f -exec cat {} + > /dev/null`]);
    f.set('read-writable', (await readBack(mnt)).seconds);
    f.set('read-ro', (await readBack(readOnly)).seconds);
    await stopMount(ro);
    await run('sh', ['-c', `head -c 200000000 /dev/urandom > ${mnt}/big.bin`]);
    await run(DEDUPFS, ['commit', '-q', mnt], env(repo));
    f.set('poke', (await run('sh', ['-c', `printf X | dd of=${mnt}/big.bin bs=1 count=1 seek=100000000 conv=notrunc status=none`])).seconds);
    await commit('commit3');
    f.set('large', (await run('cp', ['-a', large, join(mnt, 'large')])).seconds);
    await commit('commit-large');
    f.set('small', (await run('cp', ['-a', small, join(mnt, 'small')])).seconds);
    await commit('commit-small');
    const status = await readFile(`/proc/${m.child.pid}/status`, 'utf8');
    f.set('rss', Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    return f;
  } finally {
    for (const fn of cleanups.reverse()) await fn();
    await rm(repo, { recursive: true, force: true });
  }
}

export async function benchWritableMount(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'dedupfs-bench-writable-'));
  try {
    const inputs: Inputs = { work, src: join(work, 'src'), small: join(work, 'small'), large: join(work, 'large') };
    process.stdout.write('generating corpus...\n');
    for (const dir of [inputs.src, inputs.small, inputs.large]) await mkdir(dir);
    const logical = await generateCorpus(inputs.src, CORPUS);
    await generateCorpus(inputs.small, SMALL);
    const largeBytes = await generateCorpus(inputs.large, LARGE);
    const plain = await run('cp', ['-a', inputs.src, join(work, 'plain')]);
    await rm(join(work, 'plain'), { recursive: true });
    const builds: Array<[string, string]> = [['this', CLI_PATH], ...(BASELINE ? [['baseline', join(BASELINE, 'dist', 'cli', 'main.js')] as [string, string]] : [])];
    const ingests: Figures[] = [];
    const rounds = new Map<string, Figures[]>(builds.map(([name]) => [name, []]));
    for (let k = 0; k < RUNS; k++) {
      ingests.push(await ingestRound(inputs, k));
      for (const [name, cli] of k % 2 ? [...builds].reverse() : builds) rounds.get(name)!.push(await mountRound(cli, inputs, `${name}-${k}`));
    }
    const ingestMedian = (key: string) => median(ingests.map((i) => i.get(key)!));
    const rows: string[][] = [
      ['cp -a of the corpus to disk (baseline)', '', plain.seconds.toFixed(2), `${(logical / MB / plain.seconds).toFixed(0)} MB/s`, ''],
      ['dedupfs ingest of the corpus', '', ingestMedian('corpus').toFixed(2), `${(logical / MB / ingestMedian('corpus')).toFixed(0)} MB/s`, ''],
      [`dedupfs ingest of one ${largeBytes >> 20} MiB file`, '', ingestMedian('large').toFixed(2), `${(largeBytes / MB / ingestMedian('large')).toFixed(0)} MB/s`, ''],
      ['dedupfs ingest of 10,000 small files', '', ingestMedian('small').toFixed(2), `${(SMALL.smallFiles / ingestMedian('small')).toFixed(0)} files/s`, ''],
    ];
    for (const [name] of builds) {
      const rs = rounds.get(name)!;
      /** median seconds of the sum of `keys`, its rate, and the median of its ratios to ingest's `against` round by round */
      const figure = (what: string, keys: string[], rate: (s: number) => string, against?: string, extra = '') => {
        const seconds = rs.map((r) => keys.reduce((sum, key) => sum + r.get(key)!, 0));
        const s = median(seconds);
        const ratios = against ? seconds.map((x, k) => ingests[k].get(against)! / x) : [];
        rows.push([what, name, s.toFixed(2), rate(s), against ? `${median(ratios).toFixed(2)}x (${ratios.map((x) => x.toFixed(2)).join(' ')})${extra}` : extra]);
      };
      const mbps = (bytes: number) => (s: number) => `${(bytes / MB / s).toFixed(0)} MB/s`;
      const perFile = (s: number) => `${(SMALL.smallFiles / s).toFixed(0)} files/s`;
      const added = (key: string) => `, ${median(rs.map((r) => r.get(`new:${key}`)!)).toFixed(2)} MB new`;
      figure('cp -a of the corpus into the mount', ['cp1'], mbps(logical), 'corpus');
      figure('  then dedupfs commit', ['commit1'], mbps(logical), undefined, added('commit1').slice(2));
      figure('  both', ['cp1', 'commit1'], mbps(logical), 'corpus');
      figure('the same corpus again: cp -a and commit', ['cp2', 'commit2'], mbps(logical), 'corpus', added('commit2'));
      figure('read back through the writable mount', ['read-writable'], mbps(logical));
      figure('read back through a read-only mount of the commit', ['read-ro'], mbps(logical));
      figure('1-byte write into a stored 200 MB file', ['poke'], () => '');
      figure('  then dedupfs commit', ['commit3'], () => '', undefined, added('commit3').slice(2));
      figure(`cp -a of one ${largeBytes >> 20} MiB file into the mount`, ['large'], mbps(largeBytes), 'large');
      figure('  then dedupfs commit', ['commit-large'], mbps(largeBytes));
      figure('  both', ['large', 'commit-large'], mbps(largeBytes), 'large');
      figure('10,000 small files: cp -a into the mount', ['small'], perFile, 'small');
      figure('  then dedupfs commit', ['commit-small'], perFile);
      figure('  both', ['small', 'commit-small'], perFile, 'small');
      rows.push(['mount process peak RSS (highest)', name, '', `${Math.max(...rs.map((r) => r.get('rss')!)).toFixed(0)} MiB`, '']);
    }
    process.stdout.write(formatTable(['writable mount', 'build', 'seconds', 'speed', 'vs ingest (rounds)'], rows));
    process.stdout.write(`corpus ${(logical / MB).toFixed(0)} MB; medians of ${RUNS} round(s)${BASELINE ? `, alternating with the baseline ${BASELINE}` : ''}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
