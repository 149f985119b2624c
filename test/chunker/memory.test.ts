// Streaming memory is bounded: chunking a 1.5 GiB generated stream (never held whole) must not
// grow the process's resident set by more than 100 MB, whatever the consumer does with the data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chunker, chunkStream } from '../../src/chunker/index.js';
import { pseudoRandomBytes } from './random.js';

const TOTAL = 1.5 * 1024 ** 3;
const MiB = 1024 * 1024;

async function* generated(): AsyncGenerator<Uint8Array> {
  const pool = pseudoRandomBytes('memory', 8 * MiB);
  for (let sent = 0, k = 0; sent < TOTAL; k++) {
    // Pieces of 1..2 MiB from shifting offsets, so chunk contents vary.
    const start = (k * 7919) % MiB;
    const piece = pool.subarray(start, start + MiB + ((k * 104_729) % MiB));
    sent += piece.length;
    yield piece;
  }
}

test('chunkStream of 1.5 GiB keeps RSS growth under 100 MB', async () => {
  const chunker = new Chunker();
  const before = process.memoryUsage().rss;
  let peak = before, bytes = 0, count = 0;
  for await (const c of chunkStream(generated(), chunker)) {
    bytes += c.data.length;
    if (++count % 256 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  assert.ok(bytes >= TOTAL);
  const growth = peak - before;
  assert.ok(growth < 100e6, `RSS grew by ${(growth / 1e6).toFixed(1)} MB`);
});
