// Batches of records (recordBatch.ts): what a compression worker sends back must be a run of
// valid pack records, each decompressing to the block that went in, whatever mix of sizes and
// compressibility the batch held, and a block that does not shrink must stay raw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import binding from 'zstd-napi/binding.js';
import { hashFunction } from '../../src/core/address.js';
import { Compression, BlockType, HEADER_BYTES, decodeHeader } from '../../src/store/pack/format.js';
import { BATCH_BYTES, RecordBatch, compressBatch } from '../../src/store/recordBatch.js';

const hash = hashFunction('blake3');
const cctx = new binding.CCtx();
cctx.setParameter(binding.CParameter.compressionLevel, 3);
function compress(src: Buffer, limit: number): Buffer | null {
  const out = Buffer.allocUnsafe(limit);
  try {
    return out.subarray(0, cctx.compress2(out, src));
  } catch {
    return null;
  }
}

function text(n: number): Buffer {
  return Buffer.from('backup snapshot chunk '.repeat(Math.ceil(n / 22))).subarray(0, n);
}

test('a compressed batch is a run of records that give back every block, raw where zstd does not help', () => {
  const blocks = [text(70_000), randomBytes(65_536), Buffer.from('tiny'), Buffer.alloc(0), text(100), randomBytes(200_000), text(300_000)];
  const batch = new RecordBatch(Buffer.allocUnsafeSlow(BATCH_BYTES));
  for (const b of blocks) {
    assert.ok(batch.fits(b.length));
    batch.push(BlockType.Data, hash(b), b);
  }
  assert.equal(batch.rawBytes, blocks.reduce((n, b) => n + b.length, 0));
  const layout = compressBatch(batch.buffer, blocks.length, compress);
  assert.ok(layout.length < batch.bytes, 'text shrinks the batch');

  let at = 0;
  blocks.forEach((raw, i) => {
    const header = decodeHeader(batch.buffer, at);
    assert.ok(header, `record ${i} has a header`);
    assert.ok(header.address.equals(hash(raw)));
    assert.equal(header.rawLength, raw.length);
    assert.equal(header.storedLength, layout.storedLengths[i]);
    assert.equal(header.compression, layout.compressions[i]);
    const stored = batch.buffer.subarray(at + HEADER_BYTES, at + HEADER_BYTES + header.storedLength);
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
  assert.deepEqual(layout.compressions, [1, 0, 0, 0, 1, 0, 1], 'text compressed; random, tiny and empty blocks raw');
});

test('a batch takes blocks until the next would not fit', () => {
  const batch = new RecordBatch(Buffer.allocUnsafeSlow(BATCH_BYTES));
  let n = 0;
  while (batch.fits(65_536)) { batch.push(BlockType.Data, hash(Buffer.from([n])), text(65_536)); n++; }
  assert.equal(n, Math.floor(BATCH_BYTES / (HEADER_BYTES + 65_536)));
  assert.ok(batch.bytes <= BATCH_BYTES);
});
