// chunkFile reads a real file into the wasm window and cuts exactly where chunkBuffer does, for
// any read size; missing and unreadable files become one-line DedupfsErrors naming the path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Chunker, chunkFile, type StreamedChunk } from '../../src/chunker/index.js';
import { DedupfsError } from '../../src/core/errors.js';
import { tempDir } from '../helpers/tempDir.js';
import { pseudoRandomBytes } from './random.js';

async function collect(chunks: AsyncIterable<StreamedChunk>): Promise<StreamedChunk[]> {
  const all: StreamedChunk[] = [];
  for await (const c of chunks) all.push(c);
  return all;
}

test('chunkFile = chunkBuffer for default and tiny read sizes, string and Buffer paths', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'data.bin');
  const bytes = Buffer.concat([pseudoRandomBytes('file', 9 * 1024 * 1024 + 17), Buffer.alloc(400_000)]);
  await writeFile(path, bytes);
  for (const chunker of [new Chunker(), new Chunker({ min: 64, avg: 256, max: 1024, level: 2, seed: 42n })]) {
    const expected = chunker.chunkBuffer(bytes);
    for (const readSize of [undefined, 1_000_003, 65_536, 4_095]) {
      const chunks = await collect(chunkFile(readSize === 4_095 ? Buffer.from(path) : path, chunker, { readSize }));
      assert.deepEqual(chunks.map(({ offset, length, hash }) => ({ offset, length, hash })), expected, `readSize ${readSize}`);
      assert.ok(Buffer.concat(chunks.map((c) => c.data)).equals(bytes));
    }
  }
});

test('chunkFile: an empty file has no chunks', async (t) => {
  const path = join(await tempDir(t), 'empty');
  await writeFile(path, '');
  assert.deepEqual(await collect(chunkFile(path, new Chunker())), []);
});

test('chunkFile: a missing file is NOT_FOUND and a folder is IO, each naming the path', async (t) => {
  const dir = await tempDir(t);
  const missing = join(dir, 'no-such-file');
  await assert.rejects(collect(chunkFile(missing, new Chunker())), (err: unknown) => {
    assert.ok(err instanceof DedupfsError);
    assert.equal(err.code, 'NOT_FOUND');
    assert.equal(err.message, `cannot open ${missing}: does not exist`);
    return true;
  });
  await assert.rejects(collect(chunkFile(dir, new Chunker())), { code: 'IO', message: `cannot read ${dir}: is a directory` });
});

test('chunkFile: a read size outside 1..2^30 is a programming error', async () => {
  await assert.rejects(collect(chunkFile('/dev/null', new Chunker(), { readSize: 0 })), RangeError);
});
