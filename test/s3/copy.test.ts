// dedupfs copy between a folder and a bucket, both ways: only missing blocks are sent, snapshots
// keep their ids, the round trip restores every file; unlike chunking and encrypted repositories
// are refused in one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, stat, writeFile } from 'node:fs/promises';
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

  const first = JSON.parse((await cli(['copy', '--init', '--json', '--from-repo', folder, 'latest~1'], bucket)).stdout);
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
  const refused = await runCli(['copy', '--from-repo', bucket], { repo: other, env: { XDG_CACHE_HOME: h.cache } });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /^dedupfs: cannot copy: .* chunk or hash differently\n  copy into a repository made with 'dedupfs init --copy-chunker-params-from /);
  assert.deepEqual(JSON.parse((await cli(['snapshots', '--json'], other)).stdout), [], 'nothing was copied');
});

test('copy from or into an encrypted repository is refused in one line, and --init makes nothing', async (t) => {
  const dir = await tempDir(t);
  const env = { XDG_CACHE_HOME: join(dir, 'cache'), DEDUPFS_PASSWORD_FILE: join(dir, 'pass') };
  await writeFile(env.DEDUPFS_PASSWORD_FILE, 'a long enough password\n');
  const sealed = join(dir, 'sealed'), plain = join(dir, 'plain'), fresh = join(dir, 'fresh');
  const src = join(dir, 'src');
  await mkdir(src);
  await buildSourceTree(src, { smallFiles: 5 });
  for (const [args, repo] of [[['init', '-q', '--encryption'], sealed], [['ingest', '-q', src], sealed], [['ingest', '--init', '-q', src], plain]] as const) {
    const r = await runCli([...args], { repo, env });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  for (const [to, from] of [[plain, sealed], [sealed, plain], [fresh, sealed]]) {
    const r = await runCli(['copy', '--init', '--from-repo', from], { repo: to, env });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^dedupfs: cannot copy: \S+sealed is encrypted, and copy does not work with encrypted repositories yet\n  [^\n]+\n$/);
  }
  await assert.rejects(stat(fresh), { code: 'ENOENT' }, '--init made no destination');
});
