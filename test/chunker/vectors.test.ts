// The reference vectors: each parameter set of vectors.json is one test, run through the
// in-memory, streamed and file paths, comparing offsets, lengths, 64-bit hashes and chunk bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Chunker, chunkFile, chunkStream, type StreamedChunk } from '../../src/chunker/index.js';
import { loadVectors, paramsOf } from './vectors.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function collect(chunks: AsyncIterable<StreamedChunk>): Promise<StreamedChunk[]> {
  const all: StreamedChunk[] = [];
  for await (const c of chunks) all.push(c);
  return all;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

for (const input of loadVectors()) {
  for (const c of input.cases) {
    test(`${input.name}: min ${c.min} avg ${c.avg} max ${c.max} level ${c.normalization} seed ${c.seed ?? 0}`, async () => {
      const chunker = new Chunker(paramsOf(c));
      const expected = c.chunks.map(({ offset, length, hash }) => ({ offset, length, hash }));
      const inMemory = chunker.chunkBuffer(input.bytes);
      assert.deepEqual(inMemory.map(({ offset, length, hash }) => ({ offset, length, hash: hash.toString() })), expected);
      const expectedSha = c.chunks.map((x, i) => x.sha256 ?? sha256(input.bytes.subarray(expected[i].offset, expected[i].offset + expected[i].length)));
      assert.deepEqual(inMemory.map((x) => sha256(input.bytes.subarray(x.offset, x.offset + x.length))), expectedSha);

      const streamed = await collect(input.path ? chunkFile(input.path, chunker) : chunkStream(once(input.bytes), chunker));
      assert.deepEqual(streamed.map(({ offset, length, hash }) => ({ offset, length, hash: hash.toString() })), expected);
      assert.deepEqual(streamed.map((x) => sha256(x.data)), expectedSha);
    });
  }
}
