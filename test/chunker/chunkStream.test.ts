// Streamed and in-memory chunking agree: 100 seeded random inputs of 0..8 MiB, fed in random
// piece sizes (1 byte up to 1 MiB, mostly far below max) from a buffer the source reuses.
// Also: the data handed out is owned by the caller, and concurrent streams do not interfere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chunker, chunkStream, DEFAULT_CHUNKER_PARAMS, type ChunkerParams, type StreamedChunk } from '../../src/chunker/index.js';
import { pseudoRandomBytes, reusedBufferPieces, seededRandom } from './random.js';

const PARAM_SETS: ChunkerParams[] = [
  DEFAULT_CHUNKER_PARAMS,
  { min: 4096, avg: 16384, max: 65535, level: 1, seed: 0n },
  { min: 64, avg: 256, max: 1024, level: 3, seed: 0x9e3779b97f4a7c15n },
  { min: 1001, avg: 3001, max: 9001, level: 0, seed: 7n },
];
const chunkers = PARAM_SETS.map((p) => new Chunker(p));
const MiB = 1024 * 1024;
// Async iteration costs about a microsecond a step, so tiny pieces go with smaller inputs.
const MAX_PIECES = 15_000;

async function collect(chunks: AsyncIterable<StreamedChunk>): Promise<StreamedChunk[]> {
  const all: StreamedChunk[] = [];
  for await (const c of chunks) all.push(c);
  return all;
}

function assertSameAsBuffer(chunker: Chunker, bytes: Buffer, streamed: StreamedChunk[]): void {
  const inMemory = chunker.chunkBuffer(bytes);
  assert.deepEqual(streamed.map(({ offset, length, hash }) => ({ offset, length, hash })), inMemory);
  for (const c of streamed) assert.ok(c.data.equals(bytes.subarray(c.offset, c.offset + c.length)), `bytes of chunk at ${c.offset}`);
}

for (let i = 0; i < 100; i++) {
  const random = seededRandom(1000 + i);
  const paramsIndex = i % PARAM_SETS.length;
  // Every tenth case reads 1 byte at a time from a small input; the rest draw sizes up to 8 MiB
  // and piece sizes log-uniformly from 1 byte to 1 MiB.
  const size = i % 10 === 0 ? Math.floor(random() * 48_000) : Math.floor(random() ** 2 * 8 * MiB);
  const drawnPiece = i % 10 === 0 ? 1 : Math.round(2 ** (random() * 20));
  const maxPiece = Math.max(drawnPiece, Math.ceil((2 * size) / MAX_PIECES));
  test(`stream = buffer: case ${i}, ${size} bytes in pieces of 1..${maxPiece}, params ${paramsIndex}`, async () => {
    const bytes = pseudoRandomBytes(i, size);
    const chunker = chunkers[paramsIndex];
    const streamed = await collect(chunkStream(reusedBufferPieces(bytes, maxPiece, random), chunker));
    assertSameAsBuffer(chunker, bytes, streamed);
  });
}

test('stream = buffer on low-entropy input (runs of zeros and repeats), and on empty pieces', async () => {
  const bytes = Buffer.concat([Buffer.alloc(300_000), pseudoRandomBytes('r', 70_000), Buffer.alloc(5), Buffer.alloc(200_000, 0xab)]);
  async function* withEmpties() {
    for (let off = 0; off < bytes.length; off += 9_999) {
      yield new Uint8Array(0);
      yield bytes.subarray(off, off + 9_999);
    }
  }
  for (const chunker of chunkers) assertSameAsBuffer(chunker, bytes, await collect(chunkStream(withEmpties(), chunker)));
});

test('empty input gives no chunks', async () => {
  async function* nothing(): AsyncGenerator<Uint8Array> {}
  assert.deepEqual(await collect(chunkStream(nothing(), chunkers[0])), []);
  assert.deepEqual(chunkers[0].chunkBuffer(new Uint8Array(0)), []);
});

test('chunk data stays intact while later chunks are produced (owned copies)', async () => {
  const bytes = pseudoRandomBytes('owned', 20 * MiB);
  const random = seededRandom(7);
  const kept: StreamedChunk[] = [];
  for await (const c of chunkStream(reusedBufferPieces(bytes, 3 * MiB, random), chunkers[2])) kept.push(c);
  assert.ok(Buffer.concat(kept.map((c) => c.data)).equals(bytes));
});

test('interleaved streams on one Chunker each get the right chunks', async () => {
  const chunker = chunkers[1];
  const inputs = [pseudoRandomBytes('a', 5 * MiB), pseudoRandomBytes('b', 3 * MiB), pseudoRandomBytes('c', MiB / 2)];
  const iterators = inputs.map((bytes, k) => chunkStream(reusedBufferPieces(bytes, 100_000, seededRandom(k)), chunker)[Symbol.asyncIterator]());
  const results: StreamedChunk[][] = inputs.map(() => []);
  for (let live = iterators.length; live > 0;) {
    live = 0;
    for (const [k, it] of iterators.entries()) {
      const next = await it.next();
      if (!next.done) {
        results[k].push(next.value);
        live++;
      }
    }
  }
  inputs.forEach((bytes, k) => assertSameAsBuffer(chunker, bytes, results[k]));
});

test('a consumer that stops early frees the window for the next input', async () => {
  const chunker = chunkers[2];
  const bytes = pseudoRandomBytes('early', MiB);
  for await (const c of chunkStream(reusedBufferPieces(bytes, 5000, seededRandom(1)), chunker)) {
    assert.equal(c.offset, 0);
    break;
  }
  assertSameAsBuffer(chunker, bytes, await collect(chunkStream(reusedBufferPieces(bytes, 5000, seededRandom(2)), chunker)));
});
