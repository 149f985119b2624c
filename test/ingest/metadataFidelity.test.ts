// Metadata survives the round trip: a folder's extended attributes, times to the exact
// microsecond (the nanoseconds are stored; restore cannot set the last three digits, see
// src/restore/applyMetadata.ts), and a tree deeper than PATH_MAX, whose deepest levels a walk by
// full paths loses with ENAMETOOLONG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readXattrs, writeXattrs } from '../../src/core/xattrs.js';
import { addressFromHex } from '../../src/core/address.js';
import { openRepository } from '../../src/repo/repository.js';
import { decodeTree } from '../../src/tree/treeCodec.js';
import { runCli, runCommand } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

async function xattrsOf(path: string): Promise<Array<[string, Buffer]>> {
  const fd = openSync(path, 'r');
  try {
    return await readXattrs(fd);
  } finally {
    closeSync(fd);
  }
}

test("a folder's extended attributes are stored and restored", async (t) => {
  const dir = await tempDir(t);
  const folder = join(dir, 'src', 'tagged');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'f.txt'), 'f\n');
  const fd = openSync(folder, 'r');
  try {
    await writeXattrs(fd, [['user.project', Buffer.from('apollo')], ['user.empty', Buffer.alloc(0)], ['user.bin', Buffer.from([0, 255, 1])]]);
  } finally {
    closeSync(fd);
  }
  const written = await xattrsOf(folder);
  if (!written.length) return t.skip('this file system keeps no user xattrs on folders');
  const repo = join(dir, 'repo');
  assert.equal((await runCli(['ingest', '--init', '-q', join(dir, 'src')], { repo })).code, 0);
  const out = join(dir, 'out');
  const r = await runCli(['restore', 'latest', out], { repo });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await xattrsOf(join(out, 'tagged')), written);
});

test('times are stored to the nanosecond and restored to the exact microsecond', async (t) => {
  const dir = await tempDir(t);
  const src = join(dir, 'src');
  await mkdir(src);
  const times = new Map<string, bigint>();
  for (let i = 0; i < 200; i++) {
    const name = `f${i}`;
    await writeFile(join(src, name), String(i));
    const ns = 1_600_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e15)) * 1000n + BigInt(1 + Math.floor(Math.random() * 999));
    const stamp = `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
    assert.equal((await runCommand('touch', ['-m', '-d', stamp, join(src, name)])).code, 0);
    times.set(name, statSync(join(src, name), { bigint: true }).mtimeNs);
  }
  const repo = join(dir, 'repo');
  assert.equal((await runCli(['ingest', '--init', '-q', src], { repo })).code, 0);

  const r = await openRepository(repo, { lock: 'none', command: 'test' });
  try {
    const [snap] = r.catalog.list();
    for (const e of decodeTree(await r.store.get(addressFromHex(snap.root)))) {
      assert.equal(e.mtimeNs, times.get(e.name.toString()), `stored time of ${e.name}`);
    }
  } finally {
    await r.close();
  }
  const out = join(dir, 'out');
  const restored = await runCli(['restore', 'latest', out], { repo });
  assert.equal(restored.code, 0, restored.stderr);
  for (const [name, ns] of times) {
    assert.equal(statSync(join(out, name), { bigint: true }).mtimeNs, ns - ns % 1000n, `restored time of ${name}`);
  }
});

test('a tree deeper than PATH_MAX is stored and restored whole', async (t) => {
  // fs.rm cannot remove such a tree (ENAMETOOLONG); rm(1) can
  const dir = await mkdtemp(join(tmpdir(), 'dedupfs-deep-'));
  t.after(() => runCommand('rm', ['-rf', dir]));
  const src = join(dir, 'src');
  await mkdir(src);
  const level = 'level-of-a-deep-tree-0123456789';   // 31 bytes: 200 levels are 6,400 bytes of path
  const script = `cd "$1" && for i in $(seq 200); do mkdir ${level} && cd ${level} || exit 1; done; printf 'deep\\n' > leaf.txt`;
  const made = await runCommand('bash', ['-c', script, 'bash', src]);
  assert.equal(made.code, 0, made.stderr);
  const repo = join(dir, 'repo');
  const ingest = await runCli(['ingest', '--init', '--json', src], { repo });
  assert.equal(ingest.code, 0, ingest.stderr);
  const summary = JSON.parse(ingest.stdout);
  assert.equal(summary.warnings, 0);
  assert.equal(summary.files, 1);
  assert.equal(summary.dirs, 201);
  const leaf = Array(200).fill(level).join('/') + '/leaf.txt';
  const cat = await runCli(['cat', `latest:/${leaf}`], { repo });
  assert.equal(cat.code, 0, cat.stderr);
  assert.equal(cat.stdout, 'deep\n');

  // ...and restores whole: past a long path, restore names entries through the folder's descriptor
  const out = join(dir, 'out');
  const restore = await runCli(['restore', '--json', 'latest', out], { repo });
  assert.equal(restore.code, 0, restore.stderr);
  const restored = await runCommand('bash', ['-c', `cd "$1" && for i in $(seq 200); do cd ${level} || exit 1; done; cat leaf.txt`, 'bash', out]);
  assert.equal(restored.code, 0, restored.stderr);
  assert.equal(restored.stdout, 'deep\n');
  const second = await runCli(['restore', 'latest', out], { repo });
  assert.equal(second.code, 0, `a second restore finds everything in place: ${second.stderr}`);
});
