// Restore out of a bucket, where reads are ranged GETs of pack segments shared by several files
// restored at once: many small files and large ones whose chunks ingest interleaved in the same
// packs come back byte for byte, each pack segment is fetched once (none twice, none past a
// pack's end), and a damaged block in the bucket is named with exit 3 while every other file
// is restored whole.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openBackend } from '../../src/backend/openBackend.js';
import { packKey } from '../../src/store/packSpace.js';
import { HEADER_BYTES } from '../../src/store/pack/format.js';
import { locateBlocks } from '../helpers/damage.js';
import { tempDir } from '../helpers/tempDir.js';
import { bucketRepo, contentOf, host, ok, skipS3, type Host } from './bucketRepo.js';

const SEGMENT = 4 << 20;

/** A bucket repository holding one snapshot of mixedTree(), the host that made it, and the tree. */
async function ingestedBucket(t: TestContext): Promise<{ repo: string; h: Host; src: string }> {
  const repo = await bucketRepo(t);
  const h = await host(t, repo);
  await ok(h, ['init', '-q', '--encryption', 'none']);
  const src = await mixedTree(t);
  await ok(h, ['ingest', '-q', src]);
  return { repo, h, src };
}

/** 400 small files in 8 folders, 4 large random files (ingested two at a time: their chunks share packs), one large text file. */
async function mixedTree(t: TestContext): Promise<string> {
  const src = await tempDir(t);
  for (let d = 0; d < 8; d++) {
    await mkdir(join(src, `dir${d}`));
    for (let f = 0; f < 50; f++) await writeFile(join(src, `dir${d}`, `f${f}.bin`), randomBytes(500 + ((d * 50 + f) * 97) % 20_000));
  }
  await mkdir(join(src, 'large'));
  for (let i = 0; i < 4; i++) await writeFile(join(src, 'large', `big${i}.bin`), randomBytes((3 << 20) + i * 123_457));
  await writeFile(join(src, 'large', 'text.txt'), Array.from({ length: 120_000 }, (_, i) => `line ${i} of a compressible file\n`).join(''));
  return src;
}

async function restoreJson(h: Host, out: string): Promise<{ code: number | null; stderr: string; summary: { files: number; errors: number; requests: { get: number } } }> {
  const r = await h.run(['restore', '--json', 'latest', out]);
  return { code: r.code, stderr: r.stderr, summary: JSON.parse(r.stdout) };
}

test('restore from a bucket: every file byte for byte, each pack segment fetched once', { skip: skipS3 }, async (t) => {
  const { repo, h, src } = await ingestedBucket(t);

  const out = join(await tempDir(t), 'out');
  const r = await restoreJson(h, out);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await contentOf(out), await contentOf(src));
  assert.equal(r.summary.files, 405);

  // The GETs a restore needs: each segment of each pack once, and a few small objects (the
  // snapshot's, the index's). Reading a pack's region once per file that has chunks in it, or
  // a GET past a pack's end, would cost more.
  const backend = await openBackend(repo);
  t.after(() => backend.close());
  let segments = 0;
  for await (const o of backend.list('packs/')) segments += Math.ceil(o.size / SEGMENT);
  assert.ok(r.summary.requests.get <= segments + 4, `${r.summary.requests.get} GETs for ${segments} pack segments`);
});

test('restore from a bucket with a damaged block: that file is named, exit 3, the rest whole', { skip: skipS3 }, async (t) => {
  const { repo, h, src } = await ingestedBucket(t);

  // Flip a byte in the middle of the second block of big1.bin, in the bucket's pack object.
  const cache = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = h.cache;
  const snapshot = JSON.parse((await ok(h, ['snapshots', '--json'])).stdout)[0].id as string;
  const blocks = await locateBlocks(repo, snapshot, '/large/big1.bin').finally(() => {
    if (cache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = cache;
  });
  const block = blocks[1]!, from = blocks[0]!.rawLength, to = from + block.rawLength;
  const backend = await openBackend(repo);
  t.after(() => backend.close());
  const key = packKey(block.packId);
  const pack = await backend.get(key);
  pack[block.offset + HEADER_BYTES + Math.floor(block.storedLength / 2)] ^= 1;
  await backend.put(key, pack);

  const out = join(await tempDir(t), 'out');
  const r = await restoreJson(h, out);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`/large/big1\\.bin is damaged: 1 chunk\\(s\\), ${block.rawLength} bytes from offset ${from}`));
  assert.match(r.stderr, new RegExp(block.address));
  assert.equal(r.summary.errors, 1);
  const want = await contentOf(src), got = await contentOf(out);
  for (const tree of [want, got]) tree.delete('/large/big1.bin');
  assert.deepEqual(got, want);
  // The damaged file is there at its size: its other chunks as stored, the damaged one zeros.
  const original = await readFile(join(src, 'large', 'big1.bin')), restored = await readFile(join(out, 'large', 'big1.bin'));
  assert.equal(restored.length, original.length);
  assert.deepEqual(restored.subarray(0, from), original.subarray(0, from));
  assert.ok(restored.subarray(from, to).every((b) => b === 0));
  assert.deepEqual(restored.subarray(to), original.subarray(to));
});
