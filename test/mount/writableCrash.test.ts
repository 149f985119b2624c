// What a writable mount acknowledged survives kill -9 of its process: after the next mount
// (which replays the journal and the staging files), an fsynced write, a closed file, a rename
// and a delete are all there, and the next commit stores them; and so is every file a copy had
// finished when the mount was killed at a random moment, over three kills in a row.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, open, readFile, readdir, rename, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { forceUnmount, startMount, stopMount } from './mountProcess.js';

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
  const from = await runCli(['mount', '--writable', '--from', 'latest', mnt], { repo });
  assert.equal(from.code, 2, `--from is refused while uncommitted changes wait: ${from.stderr}`);
  assert.match(from.stderr, /6 uncommitted changes/);

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

test('kill -9 at random moments of a copy: every file the copy reported done is intact after the next mount', { timeout: 60_000 }, async (t) => {
  const repo = join(work, 'repo-matrix');
  assert.equal((await runCli(['init'], { repo })).code, 0);
  const src = join(work, 'matrix-src');
  await mkdir(src);
  const files = 300;
  for (let i = 0; i < files; i++) await writeFile(join(src, `f${i}`), randomBytes(1000 + ((i * 7919) % 120_000)));
  const mnt = join(work, 'mnt-matrix');
  await mkdir(mnt);
  const done = new Set<string>();
  for (let round = 0; round < 3; round++) {
    const m = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
    // Each name is printed after its cp returned (the file closed): those are acknowledged.
    const script = `mkdir -p ${mnt}/r${round} && for i in $(seq 0 ${files - 1}); do cp ${src}/f$i ${mnt}/r${round}/f$i && echo f$i; done`;
    const copy = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    const closed = new Promise((r) => copy.on('close', r)); // listened for now: it may close before the kill is done
    let out = '';
    copy.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 700)));
    m.child.kill('SIGKILL');
    await m.exited;
    await closed;
    await forceUnmount(mnt);
    for (const name of out.split('\n').filter(Boolean)) done.add(`r${round}/${name}`);
  }
  assert.ok(done.size > 0, 'the copies got somewhere before each kill');
  const m = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
  for (const path of done) {
    const name = path.split('/')[1];
    assert.equal(sha(await readFile(join(mnt, path))), sha(await readFile(join(src, name))), `${path} is intact`);
  }
  const commit = await runCli(['commit', mnt], { repo });
  assert.equal(commit.code, 0, commit.stderr);
  await stopMount(m);
  const check = await runCli(['check'], { repo });
  assert.equal(check.code, 0, check.stdout + check.stderr);
});

test('small new files held in the journal: rewritten, grown past 64 KiB, cut, sparse, open across a commit; intact after kill -9 and in the snapshot', { timeout: 60_000 }, async (t) => {
  const repo = join(work, 'repo-held');
  assert.equal((await runCli(['init'], { repo })).code, 0);
  const mnt = join(work, 'mnt-held');
  await mkdir(mnt);
  const m = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
  const want = new Map<string, Buffer>();
  const at = (name: string) => join(mnt, name);
  const pwrite = async (name: string, data: Buffer, pos: number) => {
    const fh = await open(at(name), 'r+');
    await fh.write(data, 0, data.length, pos);
    await fh.close();
  };

  await writeFile(at('a.txt'), 'hello');
  await pwrite('a.txt', Buffer.from('J'), 0);
  await appendFile(at('a.txt'), ' world');
  want.set('a.txt', Buffer.from('Jello world'));
  const grown = randomBytes(100 << 10);
  await writeFile(at('b.bin'), grown.subarray(0, 1000));
  await appendFile(at('b.bin'), grown.subarray(1000)); // past 64 KiB: to a staging file
  want.set('b.bin', grown);
  await writeFile(at('c.txt'), 'abcdef');
  await truncate(at('c.txt'), 3);
  want.set('c.txt', Buffer.from('abc'));
  await writeFile(at('e.txt'), '');
  want.set('e.txt', Buffer.alloc(0));
  await writeFile(at('f.txt'), '');
  for (let i = 0; i < 70; i++) await pwrite('f.txt', Buffer.from(`round ${i}`), 0); // more lines than a held file keeps
  want.set('f.txt', Buffer.from('round 69'));
  await writeFile(at('g.bin'), '');
  await pwrite('g.bin', Buffer.from('x'), 5000);
  want.set('g.bin', Buffer.concat([Buffer.alloc(5000), Buffer.from('x')]));

  // Open across a commit: written before and after it through the same descriptor.
  const open1 = await open(at('d.txt'), 'w+');
  await open1.write('before the commit;');
  const commit = await runCli(['commit', mnt], { repo });
  assert.equal(commit.code, 0, commit.stderr);
  await open1.write(' after it');
  await open1.close();
  want.set('d.txt', Buffer.from('before the commit; after it'));
  await writeFile(at('h.txt'), 'written after the commit');
  want.set('h.txt', Buffer.from('written after the commit'));

  const readAll = async (dir: string) => {
    for (const [name, data] of want) assert.equal(sha(await readFile(join(dir, name))), sha(data), `${name} in ${dir}`);
  };
  await readAll(mnt);
  m.child.kill('SIGKILL');
  await m.exited;
  await forceUnmount(mnt);

  const again = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
  assert.match(again.stdout(), /uncommitted changes replayed/);
  await readAll(mnt);
  assert.equal((await runCli(['commit', mnt], { repo })).code, 0);
  await stopMount(again);
  const out = join(work, 'out-held');
  const r = await runCli(['restore', 'latest', out], { repo });
  assert.equal(r.code, 0, r.stderr);
  await readAll(out);
  const check = await runCli(['check'], { repo });
  assert.equal(check.code, 0, check.stdout + check.stderr);
});
