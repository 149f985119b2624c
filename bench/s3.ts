// Ingest and restore of the bench corpus into and out of an S3 bucket, beside the same into and
// out of a folder, with the requests an unchanged re-ingest costs. Needs a server:
// eval "$(scripts/s3-server.sh start)" (sets DEDUPFS_TEST_S3 and the credentials); without one
// the section says so and measures nothing. The bucket is made and removed as for the S3 tests.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCorpus } from './corpus.js';
import { DEDUPFS, runTimed, type Timed } from './runTimed.js';
import { formatTable } from '../src/ui/formatSnapshot.js';

const MB = 1e6;

export async function benchS3(): Promise<void> {
  const endpoint = process.env.DEDUPFS_TEST_S3;
  if (!endpoint) {
    process.stdout.write('skipped: DEDUPFS_TEST_S3 is not set (eval "$(scripts/s3-server.sh start)")\n');
    return;
  }
  const { testBucket } = await import('../test/backend/s3TestServer.js');
  const { formatS3Location } = await import('../src/backend/parseRepoLocation.js');
  const cleanups: Array<() => Promise<void>> = [];
  const bucketRepo = formatS3Location(await testBucket({ after: (fn) => cleanups.push(fn) }));
  const work = await mkdtemp(join(tmpdir(), 'dedupfs-bench-s3-'));
  try {
    const src = join(work, 'src');
    process.stdout.write('generating corpus...\n');
    const logical = await generateCorpus(src);
    const env = { ...process.env, XDG_CACHE_HOME: join(work, 'cache') };
    const cli = async (repo: string, ...args: string[]): Promise<Timed> => {
      const r = await runTimed(DEDUPFS, args, { ...env, DEDUPFS_REPO: repo });
      if (r.code !== 0 && r.code !== 3) throw new Error(`dedupfs ${args.join(' ')} failed: ${r.stderr}`);
      return r;
    };
    const rows: string[][] = [];
    for (const [where, repo] of [['folder', join(work, 'repo')], ['bucket', bucketRepo]] as const) {
      const ingest = await cli(repo, 'ingest', '--init', '--encryption', 'none', '-q', src); // plain both, as the folder
      await cli(repo, 'ingest', '-q', src); // stores the folders' new atimes
      const again = JSON.parse((await cli(repo, 'ingest', '--json', src)).stdout) as { requests?: Record<string, number> };
      const restore = await cli(repo, 'restore', '-q', 'latest', join(work, `out-${where}`));
      await rm(join(work, `out-${where}`), { recursive: true, force: true });
      const requests = again.requests ? Object.entries(again.requests).filter(([k]) => k !== 'retries').reduce((n, [, v]) => n + v, 0) : 0;
      rows.push([where, ingest.seconds.toFixed(2), (logical / MB / ingest.seconds).toFixed(0), ingest.peakRssMiB?.toFixed(0) ?? 'n/a',
        restore.seconds.toFixed(2), (logical / MB / restore.seconds).toFixed(0), restore.peakRssMiB?.toFixed(0) ?? 'n/a', again.requests ? String(requests) : '-']);
    }
    process.stdout.write(formatTable(['repository', 'ingest s', 'MB/s', 'MiB RSS', 'restore s', 'MB/s', 'MiB RSS', 'requests, unchanged re-ingest'], rows));
  } finally {
    for (const done of cleanups) await done();
    await rm(work, { recursive: true, force: true });
  }
}
