// Chunk-level copy-up in the writable mount: writing into a large stored file copies only the
// chunks it touches into the staging file (which stays sparse), the commit stores only those
// chunks again, and what the file reads (through the mount, after kill -9 and replay, after
// repair, after restore) is byte for byte what was written: small writes at offsets, a
// truncate into the middle of a chunk and a growth back over it (zeros, not the old bytes),
// an append.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { forceUnmount, startMount, stopMount } from './mountProcess.js';

let work: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'dedupfs-writable-copyup-'));
});

after(() => rm(work, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Bytes the staging files of the repository's live area take on disk (holes take none). */
async function stagingDiskBytes(repo: string): Promise<number> {
  const dir = join(repo, 'live', encodeURIComponent(hostname()), 'data');
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).blocks * 512;
  return total;
}

async function pwrite(path: string, at: number, data: Buffer, sync = false): Promise<void> {
  const fh = await open(path, 'r+');
  await fh.write(data, 0, data.length, at);
  if (sync) await fh.sync();
  await fh.close();
}

test('a write into a large stored file copies and stores only the chunks it touches', { timeout: 90_000 }, async (t) => {
  const repo = join(work, 'repo');
  assert.equal((await runCli(['init'], { repo })).code, 0);
  const mnt = join(work, 'mnt');
  await mkdir(mnt);
  const size = 24 << 20;
  const expect = randomBytes(size);
  const first = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
  await writeFile(join(mnt, 'big.bin'), expect);
  await stopMount(first); // commits big.bin as stored chunks

  const m = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
  const file = join(mnt, 'big.bin');
  await pwrite(file, 10 << 20, Buffer.from('X'));
  expect.write('X', 10 << 20);
  const edit = randomBytes(100_000);
  await pwrite(file, size - 150_000, edit);
  edit.copy(expect, size - 150_000);
  assert.equal(sha(await readFile(file)), sha(expect), 'reads mix the stored chunks and the staging file');
  const onDisk = await stagingDiskBytes(repo);
  assert.ok(onDisk < 2 << 20, `the staging file holds the touched chunks only: ${onDisk} bytes on disk for a ${size}-byte file`);

  const commit = await runCli(['commit', mnt, '--json'], { repo });
  assert.equal(commit.code, 0, commit.stderr);
  const added = (JSON.parse(commit.stdout) as { added: { rawBytes: number } }).added.rawBytes;
  t.diagnostic(`staging on disk ${onDisk} bytes, commit added ${added} bytes, for a ${size}-byte file`);
  assert.ok(added < 2 << 20, `the commit stores the touched chunks again, not the file: ${added} bytes`);

  // The file stays open across a commit and is written again: laid over what was committed.
  const fh = await open(file, 'r+');
  await fh.write(Buffer.from('after the commit'), 0, 16, 1000);
  expect.write('after the commit', 1000);
  // Cut into the middle of a chunk, then grow back over what was cut: zeros, not the old bytes.
  await fh.truncate(5_000_123);
  await fh.truncate(6 << 20);
  expect.fill(0, 5_000_123, 6 << 20);
  const tail = randomBytes(300_000);
  await fh.write(tail, 0, tail.length, 6 << 20);
  await fh.sync();
  await fh.close();
  const model = Buffer.concat([expect.subarray(0, 6 << 20), tail]);
  assert.equal(sha(await readFile(file)), sha(model));

  m.child.kill('SIGKILL');
  await m.exited;
  await forceUnmount(mnt);
  const again = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
  assert.match(again.stdout(), /replayed/);
  assert.equal((await stat(file)).size, model.length);
  assert.equal(sha(await readFile(file)), sha(model), 'the replay shows what was written');
  await truncate(file, model.length); // a no-op truncate: nothing moves
  await stopMount(again);
  // What a killed mount left of a write into a stored file, repair commits.
  const third = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
  await pwrite(file, 2 << 20, Buffer.from('repaired'), true);
  model.write('repaired', 2 << 20);
  third.child.kill('SIGKILL');
  await third.exited;
  await forceUnmount(mnt);
  const repair = await runCli(['repair'], { repo });
  assert.equal(repair.code, 0, repair.stdout + repair.stderr);
  assert.match(repair.stdout, /committed the live tree of/);

  const out = join(work, 'out');
  const r = await runCli(['restore', 'latest', out], { repo });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(sha(await readFile(join(out, 'big.bin'))), sha(model), 'the committed snapshot holds what was written');
  const check = await runCli(['check', '--read-data'], { repo });
  assert.equal(check.code, 0, check.stdout + check.stderr);
});

test('random writes and truncates through one open file, with commits while it is open, read back as a model of the file says', { timeout: 90_000 }, async (t) => {
  const repo = join(work, 'repo-random');
  assert.equal((await runCli(['init'], { repo })).code, 0);
  const mnt = join(work, 'mnt-random');
  await mkdir(mnt);
  let model = randomBytes(8 << 20);
  const first = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
  await writeFile(join(mnt, 'f.bin'), model);
  await stopMount(first);

  const m = await startMount(t, { repo, mountpoint: mnt, args: ['--writable'] });
  const file = join(mnt, 'f.bin');
  const fh = await open(file, 'r+');
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < 60; i++) {
    const what = rand(10);
    if (what < 7) {
      const at = rand(model.length + 100_000);
      const data = randomBytes(1 + rand(300_000));
      await fh.write(data, 0, data.length, at);
      if (at + data.length > model.length) model = Buffer.concat([model, Buffer.alloc(at + data.length - model.length)]);
      data.copy(model, at);
    } else if (what < 9) {
      const size = rand(Math.floor(model.length * 1.2) + 1);
      await fh.truncate(size);
      model = size <= model.length ? model.subarray(0, size) : Buffer.concat([model, Buffer.alloc(size - model.length)]);
    } else {
      const commit = await runCli(['commit', mnt], { repo });
      assert.equal(commit.code, 0, commit.stderr);
    }
    if (i % 10 === 9) assert.equal(sha(await readFile(file)), sha(model), `after step ${i}`);
  }
  await fh.close();
  assert.equal(sha(await readFile(file)), sha(model));
  await stopMount(m);
  const out = join(work, 'out-random');
  assert.equal((await runCli(['restore', 'latest', out], { repo })).code, 0);
  assert.equal(sha(await readFile(join(out, 'f.bin'))), sha(model));
});
