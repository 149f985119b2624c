// A damaged chunk: restore names the file it hits, still restores every other file (and the
// readable rest of that one, the damaged range left as zeros), and exits with status 3; cat of
// the damaged file fails with status 1 naming it. A file whose chunk list is lost is not
// restored at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { flipBlockByte, locateBlocks } from '../helpers/damage.js';
import { ingestedTree } from './fixtures.js';

test('a flipped byte in a data block: the file is named, the others restored, exit 3', async (t) => {
  const good = randomBytes(300_000), bad = randomBytes(300_000);
  const fx = await ingestedTree(t, async (src) => {
    await writeFile(join(src, 'bad.bin'), bad);
    await writeFile(join(src, 'good.bin'), good);
    await writeFile(join(src, 'note.txt'), 'still here\n');
  });
  const blocks = await locateBlocks(fx.repoDir, fx.snapshot.id, '/bad.bin');
  assert.ok(blocks.length >= 2);
  await flipBlockByte(blocks[0]);

  const target = join(fx.dir, 'target');
  const r = await runCli(['restore', 'latest', target], { repo: fx.repoDir });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /\/bad\.bin is damaged: 1 chunk\(s\), \d+ bytes from offset 0/);
  assert.match(r.stderr, new RegExp(blocks[0].address));
  assert.doesNotMatch(r.stderr, /good\.bin|note\.txt/);
  assert.deepEqual(await readFile(join(target, 'good.bin')), good);
  assert.equal(await readFile(join(target, 'note.txt'), 'utf8'), 'still here\n');
  // The readable rest of bad.bin is there; the damaged chunk's range is zeros.
  const restored = await readFile(join(target, 'bad.bin'));
  assert.equal(restored.length, bad.length);
  assert.equal(restored.subarray(0, blocks[0].rawLength).every((b) => b === 0), true);
  assert.deepEqual(restored.subarray(blocks[0].rawLength), bad.subarray(blocks[0].rawLength));

  const json = await runCli(['restore', 'latest', join(fx.dir, 'again'), '--json'], { repo: fx.repoDir });
  assert.equal(json.code, 3);
  const summary = JSON.parse(json.stdout);
  assert.equal(summary.errors, 1);
  assert.equal(summary.files, 3);

  const cat = await runCli(['cat', 'latest:/bad.bin'], { repo: fx.repoDir });
  assert.equal(cat.code, 1);
  assert.match(cat.stderr, /^dedupfs: cannot read \/bad\.bin: block [0-9a-f]+ in pack [0-9a-f]+ is damaged/);
  assert.doesNotMatch(cat.stderr, /\n\s+at /);
});

test('a missing chunk list block: that file is not restored, the others are', async (t) => {
  const fx = await ingestedTree(t, async (src) => {
    // More than 64 chunks: the chunk list lives in a list block of its own.
    await writeFile(join(src, 'long.bin'), randomBytes(12 << 20));
    await writeFile(join(src, 'short.txt'), 'short\n');
  });
  const { openRepository } = await import('../../src/repo/repository.js');
  const { resolvePath } = await import('../../src/tree/resolvePath.js');
  const { addressFromHex } = await import('../../src/core/address.js');
  const repo = await openRepository(fx.repoDir, { lock: 'none', command: 'test' });
  const { entry } = await resolvePath(repo.store, addressFromHex(fx.snapshot.root), '/long.bin');
  assert.ok(entry.content && 'lists' in entry.content, 'expected list blocks');
  const loc = repo.store.index.get(entry.content.lists[0].address)!;
  const { packPath } = await import('../../src/core/layout.js');
  const pack = packPath(repo.layout, loc.packId);
  await repo.close();
  await flipBlockByte({ ...loc, address: '', path: pack });

  const target = join(fx.dir, 'target');
  const r = await runCli(['restore', 'latest', target], { repo: fx.repoDir });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /cannot restore \/long\.bin: block [0-9a-f]+ in pack [0-9a-f]+ is damaged/);
  await assert.rejects(stat(join(target, 'long.bin')), { code: 'ENOENT' });
  assert.equal(await readFile(join(target, 'short.txt'), 'utf8'), 'short\n');
});
