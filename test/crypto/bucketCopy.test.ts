// dedupfs copy with encrypted repositories, folder <-> bucket on the real S3 server: a plain folder
// into a new (encrypted by default) bucket has its files chunked again (new ids naming the
// source), a later copy sends only what is new, and the bucket holds no plaintext; the bucket into
// a new encrypted folder (copy --init) and into one made with init --copy-chunker-params-from
// takes the blocks as they are (same ids, and an ingest of the same files there stores nothing
// new); into a plain folder, or an encrypted one with its own keys, files are chunked again.
// Every copy restores byte for byte (hashes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';
import { bucketRepo, skipS3 } from '../s3/bucketRepo.js';
import { hashesUnder, objectsOf } from './encryptedBucket.js';
import { plaintextFound, sourceTree } from './plaintext.js';

test('copy between plain and encrypted repositories, folder and bucket: blocks as they are when both address alike, files chunked again otherwise; only missing blocks are sent', { skip: skipS3, timeout: 400_000 }, async (t) => {
  const dir = await tempDir(t);
  const env = { XDG_CACHE_HOME: join(dir, 'cache'), DEDUPFS_PASSWORD_FILE: join(dir, 'pass'), DEDUPFS_PASSWORD_COMMAND: undefined, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  await writeFile(env.DEDUPFS_PASSWORD_FILE, 'the destination password\n');
  await writeFile(join(dir, 'other.pass'), 'another password\n');
  const cli = async (repo: string, args: string[]) => {
    const r = await runCli(args, { repo, env });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const copy = async (to: string, args: string[]) => JSON.parse((await cli(to, ['copy', '--json', ...args])).stdout) as {
    mode: string; copied: Array<{ id: string; blocks: number; rawBytes: number; from?: string }>; skipped: string[];
  };
  const restores = async (repo: string, id: string, want: Map<string, string>) => {
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
    await cli(repo, ['restore', '-q', id, out]);
    assert.deepEqual(await hashesUnder(out), want, `${repo} ${id}`);
  };

  const src = join(dir, 'source-of-the-secret-tree');
  const { names, runs } = await sourceTree(src);
  const plain = join(dir, 'plain');
  await cli(plain, ['ingest', '--init', '-q', src]);
  const firstContent = await hashesUnder(src);
  const [first] = JSON.parse((await cli(plain, ['snapshots', '--json'])).stdout) as Array<{ id: string }>;

  // plain folder -> new bucket: encrypted by default, so the files are chunked again.
  const bucket = await bucketRepo(t);
  const toBucket = await copy(bucket, ['--init', '--from-repo', plain]);
  assert.equal(toBucket.mode, 'rechunk');
  assert.equal(toBucket.copied[0].from, first.id);
  assert.notEqual(toBucket.copied[0].id, first.id);
  assert.equal(JSON.parse((await objectsOf(bucket)).get('config.json')!.toString()).format, 4);
  await restores(bucket, toBucket.copied[0].id, firstContent);
  assert.deepEqual(plaintextFound(await objectsOf(bucket), [...names, 'source-of-the-secret-tree'], runs), []);

  // A new snapshot in the source: the next copy skips the first and sends only what is new.
  await writeFile(join(src, 'new.bin'), randomBytes(150_000));
  await cli(plain, ['ingest', '-q', src]);
  const again = await copy(bucket, ['--from-repo', plain]);
  assert.deepEqual(again.skipped, [first.id]);
  assert.equal(again.copied.length, 1);
  assert.ok(again.copied[0].rawBytes < 160_000 + 8192, `only the new file and trees are sent (${again.copied[0].rawBytes} bytes)`);
  const latest = again.copied[0].id;
  await restores(bucket, latest, await hashesUnder(src));
  assert.equal((await copy(bucket, ['--from-repo', plain])).copied.length, 0, 'a third copy has nothing to do');

  // encrypted bucket -> new encrypted folder (copy --init): the source's content key, blocks as they are, same ids.
  const sealed = join(dir, 'sealed');
  const toFolder = await copy(sealed, ['--init', '--from-repo', bucket]);
  assert.equal(toFolder.mode, 'blocks');
  assert.deepEqual(toFolder.copied.map((c) => c.id).sort(), [toBucket.copied[0].id, latest].sort());
  await restores(sealed, latest, await hashesUnder(src));
  const ingested = JSON.parse((await cli(sealed, ['ingest', '--json', src])).stdout);
  assert.ok(ingested.added.rawBytes < 8192, `the same files ingested there are deduplicated against the copied blocks (${ingested.added.rawBytes} bytes new)`);

  // init --copy-chunker-params-from an encrypted bucket: blocks as they are too; the destination has its own password.
  const alike = join(dir, 'alike');
  await cli(alike, ['init', '-q', '--encryption', '--copy-chunker-params-from', bucket, '--from-password-file', env.DEDUPFS_PASSWORD_FILE, '--password-file', join(dir, 'other.pass')]);
  const toAlike = await copy(alike, ['--from-repo', bucket, '--password-file', join(dir, 'other.pass'), '--from-password-file', env.DEDUPFS_PASSWORD_FILE, 'latest']);
  assert.equal(toAlike.mode, 'blocks');
  assert.deepEqual(toAlike.copied.map((c) => c.id), [latest]);

  // encrypted -> plain folder (--encryption none), and -> an encrypted folder with keys of its own: chunked again.
  const back = join(dir, 'back');
  const toPlain = await copy(back, ['--init', '--encryption', 'none', '--from-repo', sealed, latest]);
  assert.equal(toPlain.mode, 'rechunk');
  await restores(back, toPlain.copied[0].id, await hashesUnder(src));
  const own = join(dir, 'own');
  await cli(own, ['init', '-q', '--encryption']);
  const toOwn = await copy(own, ['--from-repo', bucket, latest]);
  assert.equal(toOwn.mode, 'rechunk');
  await restores(own, toOwn.copied[0].id, await hashesUnder(src));
  for (const repo of [sealed, back, own]) {
    const check = await runCli(['check', '--read-data'], { repo, env });
    assert.equal(check.code, 0, `${repo}: ${check.stdout}${check.stderr}`);
  }
});
