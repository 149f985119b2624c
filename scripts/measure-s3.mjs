#!/usr/bin/env node
// measure-s3.mjs - throughput of pack-sized objects through the backends, and the requests
// each costs: PUT and GET of 16 MiB objects with 1, 4 and 8 in flight, into a new bucket on
// the server that scripts/s3-server.sh started (and into a temporary folder, for comparison).
//   npm run build && eval "$(scripts/s3-server.sh start)" && node scripts/measure-s3.mjs [COUNT]
// Needs DEDUPFS_TEST_S3 and the AWS credentials that s3-server.sh prints. Removes what it wrote.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { openBackend } from '../dist/src/backend/openBackend.js';

const endpoint = process.env.DEDUPFS_TEST_S3;
if (!endpoint) { console.error('DEDUPFS_TEST_S3 is not set: eval "$(scripts/s3-server.sh start)" first'); process.exit(2); }
const COUNT = Number(process.argv[2] ?? 24);
const SIZE = 16 << 20;
const bodies = Array.from({ length: 8 }, () => randomBytes(SIZE));
const mib = (n, ms) => (n * SIZE / 1048576 / (ms / 1000)).toFixed(0);

async function run(label, repo, inflight) {
  const b = await openBackend(repo, { s3: { concurrency: inflight } });
  const keys = Array.from({ length: COUNT }, (_, i) => `packs/${String(i % 256).padStart(2, '0')}/${inflight}-${i}.pack`);
  const before = b.requestCounts();
  let t = performance.now();
  await pool(keys, inflight, (k, i) => b.put(k, bodies[i % bodies.length]));
  const putMs = performance.now() - t;
  t = performance.now();
  await pool(keys, inflight, async (k) => { if ((await b.get(k)).length !== SIZE) throw new Error('short'); });
  const getMs = performance.now() - t;
  let listed = 0;
  for await (const o of b.list('packs/')) listed += o.size === SIZE ? 1 : 0;
  if (listed !== COUNT) throw new Error(`listed ${listed} of ${COUNT}`);
  await b.deleteMany(keys);
  const after = b.requestCounts();
  const used = Object.entries(after).filter(([k]) => after[k] - before[k]).map(([k]) => `${k} ${after[k] - before[k]}`).join(', ');
  console.log(`${label.padEnd(7)} ${String(inflight).padStart(2)} in flight: PUT ${mib(COUNT, putMs).padStart(4)} MiB/s  GET ${mib(COUNT, getMs).padStart(4)} MiB/s  requests (put, get, list, delete all): ${used}`);
  await b.close();
}

async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (next < items.length) { const i = next++; await fn(items[i], i); } }));
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const admin = new S3Client({ endpoint, forcePathStyle: true, region: process.env.AWS_REGION ?? 'us-east-1' });
const bucket = `dedupfs-measure-${randomBytes(4).toString('hex')}`;
await admin.send(new CreateBucketCommand({ Bucket: bucket }));
const folder = await mkdtemp(join(tmpdir(), 'dedupfs-measure-'));
console.log(`${COUNT} objects of 16 MiB each way, per row`);
try {
  for (const inflight of [1, 4, 8]) {
    await run('s3', `s3:${endpoint}/${bucket}/repo`, inflight);
    await run('folder', folder, inflight);
  }
} finally {
  await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
  await rm(folder, { recursive: true, force: true });
}
