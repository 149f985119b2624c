// Ingest and restore of the bench corpus into and out of an S3 bucket, beside the same into and
// out of a folder, with the requests an unchanged re-ingest costs. Needs a server:
// eval "$(scripts/s3-server.sh start)" (sets DEDUPFS_TEST_S3 and the credentials); without one
// the section says so and measures nothing. The bucket is created and removed here.
import { randomBytes } from 'node:crypto';
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
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // as the backend does (s3Backend.ts)
  const { CreateBucketCommand, DeleteBucketCommand, S3Client } = await import('@aws-sdk/client-s3');
  const { openBackend } = await import('../src/backend/openBackend.js');
  const bucket = `dedupfs-bench-${randomBytes(4).toString('hex')}`;
  const client = new S3Client({ endpoint, forcePathStyle: true, region: process.env.AWS_REGION ?? 'us-east-1', requestChecksumCalculation: 'WHEN_REQUIRED' });
  const work = await mkdtemp(join(tmpdir(), 'dedupfs-bench-s3-'));
  const bucketRepo = `s3:${endpoint}/${bucket}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
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
      const ingest = await cli(repo, 'ingest', '--init', '-q', src);
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
    const backend = await openBackend(bucketRepo);
    const keys: string[] = [];
    for await (const o of backend.list('')) keys.push(o.key);
    await backend.deleteMany(keys);
    await backend.close();
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    client.destroy();
    await rm(work, { recursive: true, force: true });
  }
}
