// Batches of records (recordBatch.ts): what compression sends back, on a worker or on the
// JavaScript thread (compressPool.ts), must be a run of valid pack records, each decompressing
// to the block that went in, whatever mix of sizes and compressibility the batch held, and a
// block that does not shrink must stay raw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import binding from 'zstd-napi/binding.js';
import { hashFunction } from '../../src/core/address.js';
import { CompressPool } from '../../src/store/compressPool.js';
import { Compression, HEADER_BYTES, decodeHeader } from '../../src/store/pack/format.js';
import { BlockType } from '../../src/core/blocks.js';
import { BATCH_BYTES, RecordBatch, compressBatch, type BatchLayout } from '../../src/store/recordBatch.js';
import { frameCompressor } from '../../src/store/compress.js';

const hash = hashFunction('blake3');

function text(n: number): Buffer {
  return Buffer.from('backup snapshot chunk '.repeat(Math.ceil(n / 22))).subarray(0, n);
}

function batchOf(blocks: Buffer[]): RecordBatch {
  const batch = new RecordBatch(Buffer.allocUnsafeSlow(BATCH_BYTES));
  for (const b of blocks) {
    assert.ok(batch.fits(b.length));
    batch.push(BlockType.Data, hash(b), b);
  }
  return batch;
}

/** Checks that `records` holds, as laid out by `layout`, one record per block, in order. */
function assertRecords(records: Buffer, layout: BatchLayout, blocks: Buffer[]): void {
  let at = 0;
  blocks.forEach((raw, i) => {
    const header = decodeHeader(records, at);
    assert.ok(header, `record ${i} has a header`);
    assert.ok(header.address.equals(hash(raw)));
    assert.equal(header.rawLength, raw.length);
    assert.equal(header.storedLength, layout.storedLengths[i]);
    assert.equal(header.compression, layout.compressions[i]);
    const stored = records.subarray(at + HEADER_BYTES, at + HEADER_BYTES + header.storedLength);
    if (header.compression === Compression.Zstd) {
      assert.ok(header.storedLength < raw.length);
      const back = Buffer.alloc(raw.length);
      assert.equal(new binding.DCtx().decompress(back, stored), raw.length);
      assert.ok(back.equals(raw), `record ${i} decompresses to its block`);
    } else {
      assert.ok(stored.equals(raw), `record ${i} is stored raw`);
    }
    at += HEADER_BYTES + header.storedLength;
  });
  assert.equal(at, layout.length);
}

test('a compressed batch is a run of records that give back every block, raw where zstd does not help', () => {
  const blocks = [text(70_000), randomBytes(65_536), Buffer.from('tiny'), Buffer.alloc(0), text(100), randomBytes(200_000), text(300_000)];
  const batch = batchOf(blocks);
  assert.equal(batch.rawBytes, blocks.reduce((n, b) => n + b.length, 0));
  const layout = compressBatch(batch.buffer, blocks.length, frameCompressor(3));
  assert.ok(layout.length < batch.bytes, 'text shrinks the batch');
  assertRecords(batch.buffer, layout, blocks);
  assert.deepEqual(layout.compressions, [1, 0, 0, 0, 1, 0, 1], 'text compressed; random, tiny and empty blocks raw');
});

test('a batch takes blocks until the next would not fit', () => {
  const batch = new RecordBatch(Buffer.allocUnsafeSlow(BATCH_BYTES));
  let n = 0;
  while (batch.fits(65_536)) { batch.push(BlockType.Data, hash(Buffer.from([n])), text(65_536)); n++; }
  assert.equal(n, Math.floor(BATCH_BYTES / (HEADER_BYTES + 65_536)));
  assert.ok(batch.bytes <= BATCH_BYTES);
});

test('the pool compresses on its worker, and on the calling thread what waits beyond the worker\'s two', async () => {
  const pool = new CompressPool({ level: 1 }, 1);
  try {
    const sets = Array.from({ length: 6 }, (_, k) => [text(50_000 + k), randomBytes(30_000), text(10 + k)]);
    const done = sets.map((blocks) => {
      const batch = batchOf(blocks);
      return pool.compress(batch.buffer.buffer as ArrayBuffer, blocks.length);
    });
    let here = 0;
    while (pool.compressOneHere()) here++;
    assert.equal(here, 4, 'the worker holds two batches; the other four are compressed here');
    const results = await Promise.all(done);
    results.forEach(({ buffer, layout }, k) => {
      assertRecords(Buffer.from(buffer), layout, sets[k]);
      assert.deepEqual(layout.compressions, [1, 0, 0]);
    });
    assert.equal(pool.compressOneHere(), false, 'nothing is left waiting');
  } finally {
    await pool.close();
  }
});
