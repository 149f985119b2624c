// Ingest and restore of the bench corpus into and out of an S3 bucket, beside the same into and
// out of a folder: medians of DEDUPFS_BENCH_S3_RUNS alternating rounds (default 3), the
// bucket's speed as a ratio of the folder's (goal: >= 0.7x), peak RSS of each, and the requests
// an unchanged re-ingest and a restore cost. With DEDUPFS_BENCH_S3_BASELINE=DIR the dedupfs of
// another built checkout (DIR/bin/dedupfs) runs the same steps in the same rounds, so a change is
// measured before/after under the same load. Needs a server: eval "$(scripts/s3-server.sh start)"
// (sets DEDUPFS_TEST_S3 and the credentials); without one the section says so and measures
// nothing. Each ingest gets a new bucket, made and removed as for the S3 tests.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCorpus } from './corpus.js';
import { DEDUPFS, runTimed, type Timed, median } from './runTimed.js';
import { formatTable } from '../src/ui/formatSnapshot.js';

const MB = 1e6;
const RUNS = Number(process.env.DEDUPFS_BENCH_S3_RUNS ?? 3);
const BASELINE = process.env.DEDUPFS_BENCH_S3_BASELINE;

const total = (requests?: Record<string, number>) => requests && Object.entries(requests).filter(([k]) => k !== 'retries').reduce((n, [, v]) => n + v, 0);

type Step = 'ingest' | 'restore';
type Where = 'folder' | 'bucket';

export async function benchS3(): Promise<void> {
  const endpoint = process.env.DEDUPFS_TEST_S3;
  if (!endpoint) {
    process.stdout.write('skipped: DEDUPFS_TEST_S3 is not set (eval "$(scripts/s3-server.sh start)")\n');
    return;
  }
  const { testBucket } = await import('../test/backend/s3TestServer.js');
  const { formatS3Location } = await import('../src/backend/parseRepoLocation.js');
  const work = await mkdtemp(join(tmpdir(), 'dedupfs-bench-s3-'));
  try {
    const src = join(work, 'src');
    process.stdout.write('generating corpus...\n');
    const logical = await generateCorpus(src);
    const env = { ...process.env, XDG_CACHE_HOME: join(work, 'cache') };
    const cli = async (bin: string, repo: string, ...args: string[]): Promise<Timed> => {
      const r = await runTimed(bin, args, { ...env, DEDUPFS_REPO: repo });
      if (r.code !== 0) throw new Error(`dedupfs ${args.join(' ')} failed: ${r.stderr}`);
      return r;
    };
    const builds: Array<[string, string]> = [['this', DEDUPFS], ...(BASELINE ? [['baseline', join(BASELINE, 'bin', 'dedupfs')] as [string, string]] : [])];
    const runs = new Map<string, Timed[]>();
    const record = (build: string, where: Where, step: Step, r: Timed) => runs.set(`${build} ${where} ${step}`, [...runs.get(`${build} ${where} ${step}`) ?? [], r]);
    const requests: Record<string, number | undefined> = {};
    for (let k = 0; k < RUNS; k++) {
      const places: Where[] = k % 2 ? ['bucket', 'folder'] : ['folder', 'bucket'];
      for (const where of places) {
        for (const [build, bin] of k % 2 ? [...builds].reverse() : builds) {
          const cleanup: Array<() => Promise<void>> = [];
          const repo = where === 'folder' ? join(work, `repo-${build}`) : formatS3Location(await testBucket({ after: (fn) => cleanup.push(fn) }));
          const out = join(work, 'out');
          try {
            record(build, where, 'ingest', await cli(bin, repo, 'ingest', '--init', '--encryption', 'none', '-q', src));
            const restore = await cli(bin, repo, 'restore', '--json', 'latest', out);
            record(build, where, 'restore', restore);
            if (where === 'bucket' && k === 0) {
              requests[`${build} restore`] = total((JSON.parse(restore.stdout) as { requests?: Record<string, number> }).requests);
              await cli(bin, repo, 'ingest', '-q', src); // stores the folders' new atimes
              const again = JSON.parse((await cli(bin, repo, 'ingest', '--json', src)).stdout) as { requests?: Record<string, number> };
              requests[`${build} re-ingest`] = total(again.requests);
            }
          } finally {
            await rm(out, { recursive: true, force: true });
            if (where === 'folder') await rm(repo, { recursive: true, force: true });
            for (const done of cleanup) await done();
          }
        }
      }
    }
    const rows: string[][] = [];
    for (const [build] of builds) {
      for (const step of ['ingest', 'restore'] as const) {
        const at = (where: Where) => runs.get(`${build} ${where} ${step}`)!;
        const secs = (where: Where) => median(at(where).map((r) => r.seconds));
        const rss = (where: Where) => median(at(where).map((r) => r.peakRssMiB ?? NaN)).toFixed(0);
        rows.push([`${step}, ${build}`, secs('folder').toFixed(2), secs('bucket').toFixed(2), (logical / MB / secs('bucket')).toFixed(0),
          `${(secs('folder') / secs('bucket')).toFixed(2)}x`, rss('folder'), rss('bucket'),
          String(requests[`${build} ${step === 'ingest' ? 're-ingest' : 'restore'}`] ?? '-')]);
      }
    }
    process.stdout.write(formatTable(['step, build', 'folder s', 'bucket s', 'bucket MB/s', 'bucket speed / folder', 'folder MiB RSS', 'bucket MiB RSS',
      'requests (unchanged re-ingest; restore)'], rows));
    process.stdout.write(`corpus ${(logical / MB).toFixed(0)} MB; medians of ${RUNS} alternating rounds (peak RSS too); restores to ${tmpdir()}${BASELINE ? `; baseline: ${BASELINE}` : ''}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
