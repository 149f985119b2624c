// Files of a writable mount are stored as they are closed (src/live/backgroundStore.ts); a
// commit takes a file as it was stored only if it has not changed since. Files are closed, left
// time to be stored, then written into, appended to, truncated, renamed or deleted, and the
// commit and its restore hold what the files hold now, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, readFile, rename, truncate, unlink, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';
import { startMount, stopMount } from './mountProcess.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('files changed after they were stored in the background are committed as they are now', { timeout: 120_000 }, async (t) => {
  const work = await tempDir(t, 'dedupfs-writable-background-');
  const repo = join(work, 'repo'), mnt = join(work, 'mnt');
  assert.equal((await runCli(['init', '-q'], { repo })).code, 0);
  await mkdir(mnt);
  const m = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
  const expected = new Map<string, Buffer>();
  const put = async (name: string, data: Buffer) => {
    await writeFile(join(mnt, name), data);
    expected.set(name, data);
  };
  await put('big-written.bin', randomBytes(3 << 20));
  await put('big-cut.bin', randomBytes(2 << 20));
  await put('big-renamed.bin', randomBytes(1 << 20));
  await put('big-deleted.bin', randomBytes(1 << 20));
  await put('small-appended.txt', Buffer.from('held in the journal\n'));
  await put('small-unchanged.txt', Buffer.from('stored once\n'));
  await sleep(2000); // time to store them all

  const big = expected.get('big-written.bin')!;
  const fh = await open(join(mnt, 'big-written.bin'), 'r+');
  await fh.write(Buffer.from('XYZ'), 0, 3, 1 << 20);
  await fh.close();
  big.write('XYZ', 1 << 20);
  await truncate(join(mnt, 'big-cut.bin'), 1000);
  expected.set('big-cut.bin', expected.get('big-cut.bin')!.subarray(0, 1000));
  await rename(join(mnt, 'big-renamed.bin'), join(mnt, 'renamed.bin'));
  expected.set('renamed.bin', expected.get('big-renamed.bin')!);
  expected.delete('big-renamed.bin');
  await unlink(join(mnt, 'big-deleted.bin'));
  expected.delete('big-deleted.bin');
  await appendFile(join(mnt, 'small-appended.txt'), 'and appended to\n');
  expected.set('small-appended.txt', Buffer.from('held in the journal\nand appended to\n'));

  const commit = await runCli(['commit', '--json', mnt], { repo });
  assert.equal(commit.code, 0, commit.stderr);
  for (const [name, data] of expected) assert.equal(sha(await readFile(join(mnt, name))), sha(data), `${name} through the mount`);
  await stopMount(m);
  const out = join(work, 'out');
  const r = await runCli(['restore', 'latest', out], { repo });
  assert.equal(r.code, 0, r.stderr);
  for (const [name, data] of expected) assert.equal(sha(await readFile(join(out, name))), sha(data), `${name} restored`);
  const check = await runCli(['check'], { repo });
  assert.equal(check.code, 0, check.stderr);
});
