// A damaged index or catalog is derived state, not a crash: garbage in the LMDB file (its meta
// pages, or a data page) is refused before lmdb maps it, with one line that points to repair,
// and repair brings every snapshot back; a damaged catalog.db is set aside (kept) and rebuilt
// from the snapshot files by whatever command opens it next.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function repoWithSnapshots(t: Parameters<typeof tempDir>[0]): Promise<{ dir: string; repo: string; file: Buffer }> {
  const dir = await tempDir(t);
  const src = join(dir, 'src');
  await mkdir(src);
  const file = randomBytes(2_000_000);
  await writeFile(join(src, 'data.bin'), file);
  await writeFile(join(src, 'note.txt'), 'note\n');
  const repo = join(dir, 'repo');
  assert.equal((await runCli(['ingest', '--init', '-q', src], { repo })).code, 0);
  await writeFile(join(src, 'later.txt'), 'later\n');
  assert.equal((await runCli(['ingest', '-q', src], { repo })).code, 0);
  return { dir, repo, file };
}

async function overwrite(path: string, offset: number, bytes: Buffer): Promise<void> {
  const fh = await open(path, 'r+');
  await fh.write(bytes, 0, bytes.length, offset);
  await fh.close();
}

// The page the newest meta page names as the root of the block tree (4 KiB pages; the layout is
// described in src/store/index/checkIndexFile.ts).
async function rootPageOffset(dataFile: string): Promise<number> {
  const head = await readFile(dataFile);
  const meta = (page: number) => ({ txnid: head.readBigUInt64LE(page * 4096 + 152), root: Number(head.readBigUInt64LE(page * 4096 + 136)) });
  const [a, b] = [meta(0), meta(1)];
  return (b.txnid > a.txnid ? b : a).root * 4096;
}

for (const [what, where, bytes] of [
  ['its first 8 KiB overwritten with garbage', async () => 0, randomBytes(8192)],
  ['its meta pages zeroed', async () => 0, Buffer.alloc(8192)],
  ['garbage in its root page', rootPageOffset, randomBytes(4096)],
] as const) {
  test(`an index with ${what} is one line pointing to repair, never a crash; repair restores everything`, async (t) => {
    const { dir, repo, file } = await repoWithSnapshots(t);
    const data = join(repo, 'index', 'data.mdb');
    await overwrite(data, await where(data), bytes);
    const listed = await runCli(['snapshots', '--json'], { repo });
    assert.equal(listed.code, 0, `snapshots needs no index: ${listed.stderr}`);
    for (const args of [['cat', 'latest:/note.txt'], ['restore', 'latest', join(dir, 'out')], ['ingest', join(dir, 'src')], ['check']]) {
      const r = await runCli(args, { repo });
      assert.equal(r.signal, null, `${args[0]} was killed by ${r.signal}`);
      assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, /^dedupfs: the block index .*index is damaged: .*\n  run 'dedupfs repair'/, args[0]);
      assert.doesNotMatch(r.stderr, /internal error/);
    }
    const repaired = await runCli(['repair'], { repo });
    assert.equal(repaired.code, 0, repaired.stderr);
    const list = await runCli(['snapshots', '--json'], { repo });
    assert.equal(JSON.parse(list.stdout).length, 2, 'both snapshots are kept');
    const cat = await runCli(['cat', 'latest:/data.bin'], { repo });
    assert.equal(sha(cat.stdoutBytes), sha(file));
  });
}

test('a damaged catalog.db is set aside and rebuilt from the snapshot files, in one line', async (t) => {
  const { repo } = await repoWithSnapshots(t);
  const catalog = join(repo, 'catalog.db');
  const before = await readFile(catalog);
  await overwrite(catalog, 0, randomBytes(4096));     // header and schema page: "file is not a database"
  const r = await runCli(['snapshots', '--json'], { repo });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).length, 2);
  assert.match(r.stderr, /^catalog .*catalog\.db was damaged \(.*\); set aside as .*catalog\.db\.damaged-[^ ]+ and rebuilt from the snapshot files\n$/);
  const aside = (await readdir(repo)).filter((n) => n.startsWith('catalog.db.damaged-'));
  assert.equal(aside.length, 1, 'the damaged file is kept');
  assert.equal((await readFile(join(repo, aside[0]))).subarray(4096).equals(before.subarray(4096)), true);

  // a page in the middle (the snapshot rows) damaged: quick_check finds it
  const rows = await readFile(catalog);
  await overwrite(catalog, rows.length - 4096, randomBytes(4096));
  const again = await runCli(['ingest', '-q', join(repo, '..', 'src')], { repo });
  assert.equal(again.code, 0, again.stderr);
  const list = await runCli(['snapshots', '--json', '-q'], { repo });
  assert.equal(JSON.parse(list.stdout).length, 3);
  assert.equal(list.stderr, '');
});
