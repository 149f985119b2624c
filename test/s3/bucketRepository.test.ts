// A repository in a real S3 bucket (scripts/s3-server.sh), used through the CLI as a user would:
// ingest, snapshots, restore (compared by content hash), the requests an unchanged re-ingest
// costs, two hosts (two caches) writing into one bucket at once, a lost cache rebuilt, gc and
// check after forget, repair of a damaged pack and record, and one-line errors for a wrong secret
// and a missing bucket. Encrypted buckets: test/crypto/bucket*.test.ts.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openBackend } from '../../src/backend/openBackend.js';
import { buildSourceTree, describeTree } from '../helpers/sourceTree.js';
import { tempDir } from '../helpers/tempDir.js';
import { bucketRepo, host, ok, skipS3 } from './bucketRepo.js';

async function keys(repo: string, prefix: string): Promise<string[]> {
  const backend = await openBackend(repo);
  try {
    const out: string[] = [];
    for await (const o of backend.list(prefix)) out.push(o.key);
    return out.sort();
  } finally {
    await backend.close();
  }
}

/** A bucket with two snapshots of `size` random bytes each, ingested by host a; host b's cache knows both. */
async function twoSnapshots(t: TestContext, size: number) {
  const repo = await bucketRepo(t);
  const [a, b] = [await host(t, repo), await host(t, repo)];
  const one = await tempDir(t), two = await tempDir(t);
  await writeFile(join(one, 'one.bin'), randomBytes(size));
  await writeFile(join(two, 'two.bin'), randomBytes(size));
  const first = JSON.parse((await ok(a, ['ingest', '--init', '--encryption', 'none', '--json', one])).stdout);
  const second = JSON.parse((await ok(a, ['ingest', '--json', two])).stdout);
  await ok(b, ['snapshots', '-q']);
  return { repo, a, b, one, two, first, second };
}

describe('repository in an S3 bucket', { skip: skipS3 }, () => {
  test('ingest, snapshots and restore give back every file; an unchanged re-ingest sends 8 requests', async (t) => {
    const repo = await bucketRepo(t);
    const src = await tempDir(t);
    await buildSourceTree(src, { smallFiles: 60, largeFile: 3 << 20 });
    const a = await host(t, repo);
    await ok(a, ['init', '-q', '--encryption', 'none']);
    const first = JSON.parse((await ok(a, ['ingest', '--json', src])).stdout);
    assert.ok(first.added.blocks > 0);
    assert.ok((await keys(repo, 'packs/')).length >= 1, 'packs are objects');
    assert.equal((await keys(repo, 'index/')).length, 1, 'one index object names them');
    assert.deepEqual(await keys(repo, 'snapshots/'), [`snapshots/${first.id}.json`]);

    // The first ingest read the folders, which set their atimes: the second stores new trees.
    await ok(a, ['ingest', '-q', src]);
    // Unchanged: HEAD of the bucket, GET config.json, the lock (PUT, LIST, DELETE), LIST of
    // index/ and snapshots/, PUT of the snapshot record.
    const again = JSON.parse((await ok(a, ['ingest', '--json', src])).stdout);
    assert.equal(again.added.blocks, 0);
    assert.deepEqual(again.requests, { put: 2, get: 1, head: 1, list: 3, delete: 1, retries: 0 });

    const listed = JSON.parse((await ok(a, ['snapshots', '--json'])).stdout);
    assert.equal(listed.length, 3);
    assert.equal(listed[2].id, again.id);
    const out = join(await tempDir(t), 'out');
    await ok(a, ['restore', '-q', first.id, out]);
    assert.deepEqual(await describeTree(out), await describeTree(src));
    const cat = await ok(a, ['cat', 'latest:/hello.txt']);
    assert.equal(cat.stdout, 'hello, world\n');
    const check = await a.run(['check', '--read-data']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
  });

  test('two hosts ingesting into one bucket at once both land, and each sees the other\'s snapshot', async (t) => {
    const repo = await bucketRepo(t);
    const [a, b] = [await host(t, repo), await host(t, repo)];
    await ok(a, ['init', '-q', '--encryption', 'none']);
    const shared = randomBytes(2 << 20);
    const sources = [];
    for (const name of ['a', 'b']) {
      const src = await tempDir(t);
      await writeFile(join(src, 'shared.bin'), shared);
      await writeFile(join(src, `${name}-only.bin`), randomBytes(1 << 20));
      sources.push(src);
    }
    const [ra, rb] = await Promise.all([ok(a, ['ingest', '--json', '--lock-wait', '30s', sources[0]]), ok(b, ['ingest', '--json', '--lock-wait', '30s', sources[1]])]);
    const ids = [JSON.parse(ra.stdout).id, JSON.parse(rb.stdout).id].sort();
    for (const h of [a, b]) {
      const seen = JSON.parse((await ok(h, ['snapshots', '--json'])).stdout).map((s: { id: string }) => s.id).sort();
      assert.deepEqual(seen, ids);
    }
    // Each cache caught up with the other's index object: a's cache restores b's snapshot.
    const out = join(await tempDir(t), 'out');
    await ok(a, ['restore', '-q', JSON.parse(rb.stdout).id, out]);
    assert.deepEqual(await describeTree(out), await describeTree(sources[1]));
    // And a third ingest on b deduplicates against what a stored.
    const src = await tempDir(t);
    await writeFile(join(src, 'again.bin'), shared);
    const third = JSON.parse((await ok(b, ['ingest', '--json', src])).stdout);
    assert.ok(third.added.blocks <= 2, `only the new tree blocks are stored (${third.added.blocks})`);
  });

  test('a lost cache is rebuilt from the bucket', async (t) => {
    const repo = await bucketRepo(t);
    const src = await tempDir(t);
    await buildSourceTree(src, { smallFiles: 30 });
    const a = await host(t, repo);
    await ok(a, ['ingest', '--init', '--encryption', 'none', '-q', src]);
    await ok(a, ['ingest', '-q', src]); // the folders' atimes, set by the first, are stored
    await rm(a.cache, { recursive: true, force: true });
    await mkdir(a.cache);
    const again = JSON.parse((await ok(a, ['ingest', '--json', src])).stdout);
    assert.equal(again.added.blocks, 0, 'the rebuilt index knows every block');
    assert.equal(JSON.parse((await ok(a, ['snapshots', '--json'])).stdout).length, 3);
    const out = join(await tempDir(t), 'out');
    await ok(a, ['restore', '-q', 'latest~1', out]);
    assert.deepEqual(await describeTree(out), await describeTree(src));
  });

  test('forget and gc delete packs in the bucket; another host\'s cache catches up', async (t) => {
    const { repo, a, b, two } = await twoSnapshots(t, 3 << 20);
    const packsBefore = await keys(repo, 'packs/');
    await ok(a, ['forget', '-q', 'latest~1']);
    const gc = JSON.parse((await ok(a, ['gc', '--json'])).stdout);
    assert.equal(gc.result.deletedPacks, 1);
    assert.equal((await keys(repo, 'packs/')).length, packsBefore.length - 1);
    const index = await keys(repo, 'index/');
    assert.equal(index.length, 1);
    assert.match(index[0]!, /-full$/, 'one full index object supersedes the rest');
    // b's cache named the deleted pack: the listing shows it is stale, and b rebuilds.
    const check = await b.run(['check', '--read-data']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const out = join(await tempDir(t), 'out');
    await ok(b, ['restore', '-q', 'latest', out]);
    assert.deepEqual(await describeTree(out), await describeTree(two));
    const unlock = await ok(b, ['unlock', '--json']);
    assert.deepEqual(JSON.parse(unlock.stdout).removed, []);
  });

  test('repair salvages a pack whose trailer is cut off and sets a damaged record aside; another cache follows', async (t) => {
    const { repo, a, b, one, first, second } = await twoSnapshots(t, 1 << 20);
    const backend = await openBackend(repo);
    t.after(() => backend.close());
    // The first snapshot's pack loses its trailer's end (its records stay whole); the second's record is garbled.
    const packs = await keys(repo, 'packs/');
    assert.equal(packs.length, 2);
    for (const key of packs) {
      const bytes = await backend.get(key);
      if (bytes.includes(Buffer.from(first.root, 'hex'))) await backend.put(key, bytes.subarray(0, bytes.length - 20));
    }
    await backend.put(`snapshots/${second.id}.json`, Buffer.from('{"id": "cut'));
    assert.equal((await a.run(['check'])).code, 1);

    const repair = await a.run(['repair', '--json']);
    assert.equal(repair.code, 0, repair.stderr);
    const report = JSON.parse(repair.stdout);
    assert.equal(report.salvaged.length, 1);
    assert.deepEqual(report.catalog.setAside.map((s: { id: string }) => s.id), [second.id]);
    assert.ok((await keys(repo, 'snapshots/')).includes(`snapshots/${second.id}.json.damaged`), 'the record is kept aside');
    assert.equal(report.salvaged[0].lost.length, 0, 'every record was whole');
    assert.deepEqual(report.damagedSnapshots, []);
    const index = await keys(repo, 'index/');
    assert.equal(index.length, 1);
    assert.match(index[0]!, /-full$/);

    assert.equal((await keys(repo, 'packs/')).length, 2, 'the salvaged pack replaced the damaged one');
    assert.deepEqual(JSON.parse((await ok(b, ['snapshots', '--json'])).stdout).map((s: { id: string }) => s.id), [first.id]);
    for (const h of [a, b]) {
      const check = await h.run(['check', '--read-data']);
      assert.equal(check.code, 0, check.stdout + check.stderr);
    }
    const out = join(await tempDir(t), 'out');
    await ok(b, ['restore', '-q', first.id, out]);
    assert.deepEqual(await describeTree(out), await describeTree(one));
  });

  test('a wrong secret and a missing bucket each give one line', async (t) => {
    const repo = await bucketRepo(t);
    const a = await host(t, repo);
    await ok(a, ['init', '-q', '--encryption', 'none']);
    const wrong = await a.run(['snapshots'], { AWS_SECRET_ACCESS_KEY: 'wrong' });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /^dedupfs: S3 server \S+ refused the credentials for bucket \S+ \(\w+\)\n/);
    const missing = await a.run(['snapshots', '--repo', repo.replace(/dedupfs-test-/, 'dedupfs-none-')]);
    assert.equal(missing.code, 10);
    assert.match(missing.stderr, /^dedupfs: bucket dedupfs-none-\S+ does not exist on /);
    for (const r of [wrong, missing]) assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
});
