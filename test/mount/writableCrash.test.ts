// What a writable mount acknowledged survives kill -9 of its process: after the next mount
// (which replays the journal and the staging files), an fsynced write, a closed file, a rename
// and a delete are all there, and the next commit stores them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { forceUnmount, startMount } from './mountProcess.js';

let work: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'dedupfs-writable-crash-'));
});

after(() => rm(work, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('kill -9 after fsync: the next mount has every acknowledged change, and commits it', { timeout: 60_000 }, async (t) => {
  const repo = join(work, 'repo');
  assert.equal((await runCli(['init'], { repo })).code, 0);
  const mnt = join(work, 'mnt');
  await mkdir(mnt);
  const m = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
  const big = randomBytes(5 << 20);
  const fh = await open(join(mnt, 'big.bin'), 'w');
  await fh.write(big);
  await fh.sync();
  await fh.close();
  await writeFile(join(mnt, 'closed.txt'), 'closed, never fsynced\n');
  await writeFile(join(mnt, 'gone.txt'), 'deleted\n');
  await unlink(join(mnt, 'gone.txt'));
  await mkdir(join(mnt, 'dir'));
  await rename(join(mnt, 'closed.txt'), join(mnt, 'dir', 'moved.txt'));
  m.child.kill('SIGKILL');
  await m.exited;
  await forceUnmount(mnt);
  assert.equal(JSON.parse((await runCli(['snapshots', '--json'], { repo })).stdout).length, 0, 'nothing was committed');

  const again = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
  assert.match(again.stdout(), /6 uncommitted changes replayed/);
  assert.deepEqual((await readdir(mnt)).sort(), ['.snapshots', 'big.bin', 'dir']);
  assert.equal(sha(await readFile(join(mnt, 'big.bin'))), sha(big));
  assert.equal(await readFile(join(mnt, 'dir', 'moved.txt'), 'utf8'), 'closed, never fsynced\n');
  // A write at an offset after the restart goes to the replayed staging file.
  const w = await open(join(mnt, 'big.bin'), 'r+');
  await w.write(Buffer.from('HEAD'), 0, 4, 0);
  await w.close();
  big.write('HEAD', 0);
  const commit = await runCli(['commit', mnt], { repo });
  assert.equal(commit.code, 0, commit.stderr);
  again.child.kill('SIGKILL'); // after the commit: the staging area holds nothing more
  await again.exited;
  await forceUnmount(mnt);
  const out = join(work, 'out');
  const r = await runCli(['restore', 'latest', out], { repo });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(sha(await readFile(join(out, 'big.bin'))), sha(big));
  assert.equal(await readFile(join(out, 'dir', 'moved.txt'), 'utf8'), 'closed, never fsynced\n');

  const third = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
  assert.doesNotMatch(third.stdout(), /replayed/, 'the commit cleared the journal');
  assert.equal(sha(await readFile(join(mnt, 'big.bin'))), sha(big));
});
