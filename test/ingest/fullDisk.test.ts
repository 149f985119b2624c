// A full disk during ingest: one line naming the repository and what to do, exit status 1,
// no pack left half-written, and every earlier snapshot intact. The disk is a 3 MiB tmpfs
// (mounting it needs root, as CI has).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, runCommand } from '../helpers/cli.js';

test('ingest onto a full disk fails cleanly and leaves the repository as it was', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('mounting a small tmpfs needs root');
  const dir = await mkdtemp(join(tmpdir(), 'dedupfs-full-'));
  const disk = join(dir, 'disk');
  await mkdir(disk);
  const mounted = await runCommand('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', disk]);
  t.after(async () => {
    if (mounted.code === 0) await runCommand('umount', ['-l', disk]);
    await rm(dir, { recursive: true, force: true });
  });
  assert.equal(mounted.code, 0, mounted.stderr);
  const repo = join(disk, 'repo');
  const src = join(dir, 'src');
  await mkdir(src);
  await writeFile(join(src, 'small.txt'), 'fits\n');
  const first = await runCli(['ingest', '--init', '--quiet', src], { repo });
  assert.equal(first.code, 0, first.stderr);

  await writeFile(join(src, 'big.bin'), randomBytes(6 << 20));
  const full = await runCli(['ingest', '--init', src], { repo });
  assert.equal(full.code, 1);
  assert.match(full.stderr, /^dedupfs: no space left on device while writing to .*repo\n/);
  assert.ok(!/\n\s+at /.test(full.stderr), 'no stack trace');
  assert.deepEqual(await readdir(join(repo, 'packs', 'tmp')), [], 'the half-written pack was removed');
  assert.deepEqual(await readdir(join(repo, 'locks')), [], 'the lock was released');

  const list = await runCli(['snapshots', '--json'], { repo });
  assert.equal(JSON.parse(list.stdout).length, 1, 'only the first snapshot exists');
  const check = await runCli(['check', '--read-data'], { repo });
  assert.equal(check.code, 0, check.stdout + check.stderr);
  const cat = await runCli(['cat', 'latest:/small.txt'], { repo });
  assert.equal(cat.stdout, 'fits\n');
});
