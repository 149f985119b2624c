// dedupfs copy between a plain folder and a plain bucket, both ways: only missing blocks are sent,
// snapshots keep their ids, the round trip restores every file; a destination that chunks
// otherwise gets the files chunked again. Encrypted repositories: test/crypto/bucketCopy.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runCli } from '../helpers/cli.js';
import { buildSourceTree, describeTree } from '../helpers/sourceTree.js';
import { tempDir } from '../helpers/tempDir.js';
import { bucketRepo, host, ok, skipS3 } from './bucketRepo.js';

test('copy folder -> bucket -> folder sends only missing blocks and restores every file', { skip: skipS3 }, async (t) => {
  const dir = await tempDir(t);
  const folder = join(dir, 'local'), back = join(dir, 'back');
  const bucket = await bucketRepo(t);
  const h = await host(t, bucket);
  const src = join(dir, 'src');
  await mkdir(src);
  await buildSourceTree(src, { smallFiles: 30 });
  const cli = async (args: string[], repo: string) => {
    const r = await runCli(args, { repo, env: { XDG_CACHE_HOME: h.cache } });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  await cli(['ingest', '--init', '-q', src], folder);
  await writeFile(join(src, 'new.bin'), randomBytes(200_000));
  await cli(['ingest', '-q', src], folder);
  const ids = JSON.parse((await cli(['snapshots', '--json'], folder)).stdout).map((s: { id: string }) => s.id);

  const first = JSON.parse((await cli(['copy', '--init', '--encryption', 'none', '--json', '--from-repo', folder, 'latest~1'], bucket)).stdout);
  assert.equal(first.mode, 'blocks');
  assert.deepEqual(first.copied.map((c: { id: string }) => c.id), [ids[0]]);
  const second = JSON.parse((await cli(['copy', '--json', '--from-repo', folder], bucket)).stdout);
  assert.deepEqual(second.skipped, [ids[0]]);
  assert.deepEqual(second.copied.map((c: { id: string }) => c.id), [ids[1]]);
  assert.ok(second.copied[0].blocks < first.copied[0].blocks, `only what the bucket lacks is sent (${second.copied[0].blocks} blocks)`);
  assert.deepEqual(JSON.parse((await ok(h, ['snapshots', '--json'])).stdout).map((s: { id: string }) => s.id), ids);

  await cli(['copy', '--init', '-q', '--from-repo', bucket], back);
  const out = join(dir, 'out');
  await cli(['restore', '-q', ids[1], out], back);
  assert.deepEqual(await describeTree(out), await describeTree(src));
  const check = await runCli(['check', '--read-data'], { repo: back });
  assert.equal(check.code, 0, check.stdout);

  const other = join(dir, 'other');
  await cli(['init', '-q', '--encryption', 'none', '--chunk-avg', '32K'], other);
  const rechunked = await runCli(['copy', '--json', '--from-repo', bucket, 'latest'], { repo: other, env: { XDG_CACHE_HOME: h.cache } });
  assert.equal(rechunked.code, 0, rechunked.stderr);
  assert.match(rechunked.stderr, /address blocks differently: every file is read and chunked again, and copies get new ids\n$/);
  const report = JSON.parse(rechunked.stdout);
  assert.equal(report.mode, 'rechunk');
  assert.equal(report.copied[0].from, ids[1]);
  const out2 = join(dir, 'out2');
  await cli(['restore', '-q', report.copied[0].id, out2], other);
  assert.deepEqual(await describeTree(out2), await describeTree(src));
  // Again: the snapshot is there already, so nothing is read and nothing is said about chunking.
  const again = await runCli(['copy', '--json', '--from-repo', bucket, 'latest'], { repo: other, env: { XDG_CACHE_HOME: h.cache } });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout).skipped, [ids[1]]);
  assert.doesNotMatch(again.stderr, /chunked again/);
});
