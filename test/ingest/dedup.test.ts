// Deduplication: what a second snapshot costs. Same tree twice; one byte inserted in a 100 MB
// file; identical files; unchanged files not read again, and a file whose ctime alone says it
// was rewritten read again; a tree that was only read (atimes
// moved) stores nothing new, while any other change below a folder gives it a new tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addressFromHex } from '../../src/core/address.js';
import { ingest } from '../../src/ingest/ingest.js';
import { readFileContent } from '../../src/tree/readFileContent.js';
import { resolvePath } from '../../src/tree/resolvePath.js';
import { BlockType } from '../../src/core/blocks.js';
import { buildSourceTree } from '../helpers/sourceTree.js';
import { countBlocks, openTestRepo, tempRepoPath } from '../helpers/repo.js';
import { tempDir } from '../helpers/tempDir.js';

test('ingesting the same tree twice adds under 1% of the stored bytes, and reads no unchanged file', async (t) => {
  const src = await tempDir(t);
  await buildSourceTree(src, { smallFiles: 500, largeFile: 8 << 20 });
  const repo = await openTestRepo(t, await tempRepoPath(t));
  const first = await ingest(repo, { paths: [src] });
  assert.ok(first.snapshot.added.storedBytes > 8 << 20, 'the first snapshot stores the data');
  let bytesRead = 0;
  const second = await ingest(repo, { paths: [src], reporter: { bytes: (n) => { bytesRead += n; } } });
  assert.equal(second.parent, first.snapshot.id);
  assert.equal(bytesRead, 0, 'unchanged files are not read again');
  assert.ok(second.snapshot.added.storedBytes < first.snapshot.added.storedBytes / 100,
    `second snapshot added ${second.snapshot.added.storedBytes} of ${first.snapshot.added.storedBytes} bytes`);
  assert.equal(second.snapshot.files, first.snapshot.files);
  assert.equal(second.snapshot.bytes, first.snapshot.bytes);
});

test('a file rewritten in place with its size and mtime put back is read again: its ctime moved', async (t) => {
  const src = await tempDir(t);
  await writeFile(join(src, 'same-size.txt'), 'first content\n');
  await writeFile(join(src, 'untouched.txt'), 'untouched\n');
  // whole seconds, which utimes can put back exactly (it takes no nanoseconds)
  const mtime = new Date('2020-01-01T00:00:00Z');
  await utimes(join(src, 'same-size.txt'), mtime, mtime);
  const repo = await openTestRepo(t, await tempRepoPath(t));
  const first = await ingest(repo, { paths: [src] });
  await new Promise((r) => setTimeout(r, 20)); // a ctime that differs even on a coarse clock
  await writeFile(join(src, 'same-size.txt'), 'other content\n');
  await utimes(join(src, 'same-size.txt'), mtime, mtime);
  assert.equal((await stat(join(src, 'same-size.txt'), { bigint: true })).mtimeNs, BigInt(mtime.getTime()) * 1_000_000n, 'the mtime is put back');
  let bytesRead = 0;
  const second = await ingest(repo, { paths: [src], reporter: { bytes: (n) => { bytesRead += n; } } });
  assert.equal(second.parent, first.snapshot.id);
  assert.equal(bytesRead, 'other content\n'.length, 'the rewritten file alone is read again');
  const { entry } = await resolvePath(repo.store, addressFromHex(second.snapshot.root), '/same-size.txt');
  const pieces = [];
  for await (const piece of readFileContent(repo.store, entry.content)) pieces.push(piece.data);
  assert.equal(Buffer.concat(pieces).toString(), 'other content\n', 'the snapshot holds the new content');
});

test('reading a tree adds no block; a mode changed deep down gives new trees up to the root', async (t) => {
  const src = await tempDir(t);
  await mkdir(join(src, 'a/b'), { recursive: true });
  await writeFile(join(src, 'a/b/f.txt'), 'deep');
  await writeFile(join(src, 'a/g.txt'), 'shallow');
  await writeFile(join(src, 'top.txt'), 'top');
  // atimes older than mtimes, so that reading moves them (relatime)
  const paths = ['a/b/f.txt', 'a/g.txt', 'top.txt', 'a/b', 'a'];
  for (const p of paths) await utimes(join(src, p), new Date('2019-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
  const repo = await openTestRepo(t, await tempRepoPath(t));
  const first = await ingest(repo, { paths: [src] });
  for (const p of paths) {
    if (p.endsWith('.txt')) await readFile(join(src, p));
    else await readdir(join(src, p));
  }
  if ((await stat(join(src, 'a/b/f.txt'))).atime.getUTCFullYear() === 2019) return t.skip('this file system does not move atimes on reads');
  const read = await ingest(repo, { paths: [src] });
  assert.equal(read.snapshot.root, first.snapshot.root, 'only atimes moved: the same root');
  assert.equal(read.snapshot.added.blocks, 0);
  await chmod(join(src, 'a/b/f.txt'), 0o600);
  const changed = await ingest(repo, { paths: [src] });
  assert.notEqual(changed.snapshot.root, read.snapshot.root);
  assert.equal(changed.snapshot.added.blocks, 3, 'new trees for a/b, a and the root');
});

test('one byte inserted in the middle of a 100 MB file adds at most 3 chunks', async (t) => {
  const src = await tempDir(t);
  const data = randomBytes(100_000_000);
  await writeFile(join(src, 'big.bin'), data);
  const repo = await openTestRepo(t, await tempRepoPath(t));
  await ingest(repo, { paths: [src] });
  const before = countBlocks(repo, BlockType.Data);
  const mid = data.length >> 1;
  const fh = await open(join(src, 'big.bin'), 'w');
  await fh.write(data, 0, mid);
  await fh.write(Buffer.from([0x42]));
  await fh.write(data, mid, data.length - mid);
  await fh.close();
  const second = await ingest(repo, { paths: [src] });
  const added = countBlocks(repo, BlockType.Data) - before;
  assert.ok(added >= 1 && added <= 3, `added ${added} data chunks`);
  assert.equal(second.snapshot.bytes, data.length + 1);
});

test('identical files are stored once', async (t) => {
  const src = await tempDir(t);
  const content = randomBytes(3 << 20);
  for (const d of ['a', 'b', 'c/d']) {
    await mkdir(join(src, d), { recursive: true });
    await writeFile(join(src, d, 'same.bin'), content);
  }
  const repo = await openTestRepo(t, await tempRepoPath(t));
  const { snapshot } = await ingest(repo, { paths: [src] });
  assert.equal(snapshot.files, 3);
  assert.equal(snapshot.bytes, 3 * content.length);
  let unique = 0;
  for (const [, loc] of repo.store.index.entries()) if (loc.type === BlockType.Data) unique += loc.rawLength;
  assert.equal(unique, content.length, 'the content is stored once');
});
