// A writable mount of a repository in a bucket (real S3: scripts/s3-server.sh): cp -a into it,
// `dedupfs commit`, and the snapshot restored by its id holds what was copied; kill -9 of the
// mount after an fsync loses nothing (the journal and staging files live in this machine's
// cache of the repository, src/repo/cacheDir.ts), and the next mount replays and commits it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../helpers/cli.js';
import { buildSourceTree, NON_UTF8_NAME } from '../helpers/sourceTree.js';
import { tempDir } from '../helpers/tempDir.js';
import { bucketRepo, contentOf, host, ok, skipS3 } from '../s3/bucketRepo.js';
import { forceUnmount, startMount, stopMount } from './mountProcess.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('writable mount on a bucket: cp -a, commit, restore by id; kill -9 after fsync, replay, commit', { skip: skipS3, timeout: 120_000 }, async (t) => {
  const repo = await bucketRepo(t);
  const h = await host(t, repo);
  await ok(h, ['init', '-q', '--encryption', 'none']);
  const work = await tempDir(t, 'dedupfs-writable-s3-');
  const src = join(work, 'src'), mnt = join(work, 'mnt');
  await mkdir(src);
  await mkdir(mnt);
  await buildSourceTree(src, { smallFiles: 200, largeFile: 4 << 20, xattrs: true });
  await unlink(Buffer.concat([Buffer.from(`${src}/`), NON_UTF8_NAME])); // new names are UTF-8 (docs/LIVE.md)
  const env = { XDG_CACHE_HOME: h.cache, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const m = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'], env });
  const cp = await runCommand('cp', ['-a', src, join(mnt, 'copy')]);
  assert.equal(cp.code, 0, cp.stderr);
  const first = JSON.parse((await ok(h, ['commit', '--json', mnt])).stdout).snapshot as string;
  assert.match(first, /^[0-9a-f]{64}$/);

  // Acknowledged (fsync, then a rename), then the mount is killed.
  const data = randomBytes(3 << 20);
  const fh = await open(join(mnt, 'late.bin'), 'w');
  await fh.write(data);
  await fh.sync();
  await fh.close();
  await rename(join(mnt, 'late.bin'), join(mnt, 'copy', 'late.bin'));
  m.child.kill('SIGKILL');
  await m.exited;
  await forceUnmount(mnt);

  const again = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'], env });
  assert.match(again.stdout(), /2 uncommitted changes replayed/);
  assert.equal(sha(await readFile(join(mnt, 'copy', 'late.bin'))), sha(data));
  const second = JSON.parse((await ok(h, ['commit', '--json', mnt])).stdout).snapshot as string;
  assert.notEqual(second, first);
  await stopMount(again);

  const out1 = join(work, 'out1'), out2 = join(work, 'out2');
  await ok(h, ['restore', first, out1]);
  assert.deepEqual(await contentOf(join(out1, 'copy')), await contentOf(src));
  await ok(h, ['restore', second, out2]);
  const expected = await contentOf(src);
  expected.set('/late.bin', `${data.length} ${sha(data)}`);
  assert.deepEqual(await contentOf(join(out2, 'copy')), expected);
});
