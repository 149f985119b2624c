// readFileContent: pieces come in order and cover the file exactly, whatever the read-ahead
// window; a damaged chunk is skipped through onDamaged (or thrown); and a consumer that stops
// early leaves no unhandled rejection behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addressFromHex } from '../../src/core/address.js';
import { DedupfsError } from '../../src/core/errors.js';
import { ingest } from '../../src/ingest/ingest.js';
import { readFileContent } from '../../src/tree/readFileContent.js';
import { resolvePath } from '../../src/tree/resolvePath.js';
import { flipBlockByte, locateBlocks } from '../helpers/damage.js';
import { openTestRepo, tempRepoPath } from '../helpers/repo.js';
import { tempDir } from '../helpers/tempDir.js';

const DATA = randomBytes(6 << 20);

async function stored(t: import('node:test').TestContext) {
  const src = await tempDir(t);
  await writeFile(join(src, 'data.bin'), DATA);
  const repoDir = await tempRepoPath(t);
  const repo = await openTestRepo(t, repoDir);
  const { snapshot } = await ingest(repo, { paths: [src] });
  const { entry } = await resolvePath(repo.store, addressFromHex(snapshot.root), '/data.bin');
  return { repo, repoDir, snapshot, entry };
}

test('pieces arrive in order and rebuild the file, for any read-ahead window', async (t) => {
  const { repo, entry } = await stored(t);
  for (const opts of [{}, { readAhead: 1 }, { readAhead: 3, readAheadBytes: 1 }, { readAhead: 64, readAheadBytes: 64 << 20 }]) {
    const parts: Buffer[] = [];
    let expected = 0;
    for await (const piece of readFileContent(repo.store, entry.content, opts)) {
      assert.equal(piece.offset, expected);
      expected += piece.data.length;
      parts.push(piece.data);
    }
    assert.ok(parts.length > 10);
    assert.deepEqual(Buffer.concat(parts), DATA);
  }
  let none = 0;
  for await (const _ of readFileContent(repo.store, { chunks: [] })) none++;
  assert.equal(none, 0);
});

test('a damaged chunk is reported with its range and skipped, or thrown', async (t) => {
  const { repo, repoDir, snapshot, entry } = await stored(t);
  await repo.close();
  const blocks = await locateBlocks(repoDir, snapshot.id, '/data.bin');
  await flipBlockByte(blocks[2]);
  const reopened = await openTestRepo(t, repoDir);
  const damaged: Array<[number, number]> = [];
  const offsets: number[] = [];
  for await (const piece of readFileContent(reopened.store, entry.content, { onDamaged: (_e, offset, length) => damaged.push([offset, length]) })) offsets.push(piece.offset);
  const start = blocks[0].rawLength + blocks[1].rawLength;
  assert.deepEqual(damaged, [[start, blocks[2].rawLength]]);
  assert.ok(!offsets.includes(start));
  assert.equal(offsets.length, blocks.length - 1);
  await assert.rejects(async () => { for await (const _ of readFileContent(reopened.store, entry.content)) void _; },
    (err: DedupfsError) => err.code === 'BLOCK_DAMAGED');
});

test('stopping early leaves no unhandled rejection', async (t) => {
  const { repo, repoDir, snapshot, entry } = await stored(t);
  await repo.close();
  const blocks = await locateBlocks(repoDir, snapshot.id, '/data.bin');
  await flipBlockByte(blocks[3]);
  const reopened = await openTestRepo(t, repoDir);
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  process.on('unhandledRejection', onUnhandled);
  t.after(() => { process.off('unhandledRejection', onUnhandled); });
  for await (const piece of readFileContent(reopened.store, entry.content, { readAhead: 8 })) {
    assert.equal(piece.offset, 0);
    break; // the damaged chunk 3 is already being fetched
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(unhandled, []);
});
