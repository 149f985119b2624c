// A read worker thread (readPool.ts): checks each record of a span read from a pack
// (openRecord.ts: open, decompress, hash), writing the blocks' raw bytes into the buffer it is
// sent with the span, and says per record where its bytes are or what is wrong with it. Both
// buffers go back with the answer: a worker keeps no memory between spans. In an encrypted
// repository it opens blocks and hashes with the keys it is given (a full key's).
import { parentPort, workerData } from 'node:worker_threads';
import { hashFunction } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import { decodeKeyMaterial, keyedHashFunction, Opener } from '../crypto/index.js';
import { openRecord } from './openRecord.js';
import type { ReadRequest, ReadReply, ReadResult, ReadSettings } from './readPool.js';

const settings = workerData as ReadSettings;
const material = settings.keys ? decodeKeyMaterial(Buffer.from(settings.keys)) : null;
if (settings.keys && !material) throw new Error('the read worker was given damaged key material');
const hash = material ? keyedHashFunction(material.contentKey) : hashFunction(settings.hash);
const opener = material ? new Opener(material) : null;
const open = opener ? (address: Buffer, type: number, stored: Buffer) => opener.openBlock(address, type, stored) : undefined;

parentPort!.on('message', ({ id, span, out, records }: ReadRequest) => {
  const b = Buffer.from(span), o = Buffer.from(out);
  let next = 0;
  const results = records.map(({ start, end, address, shape }): ReadResult => {
    const at = next;
    next += shape.rawLength;
    try {
      // A checked block's bytes are always those written into out (openRecord).
      const r = openRecord(b.subarray(start, end), Buffer.from(address), shape, hash, open, o.subarray(at, next));
      if (!('raw' in r)) return { why: r.why, cause: r.cause === undefined ? undefined : (r.cause as Error).message };
      return { at, length: r.raw.length };
    } catch (err) {
      return { error: err instanceof DedupfsError ? { code: err.code, message: err.message, hint: err.hint } : { message: (err as Error).message } };
    }
  });
  const reply: ReadReply = { id, span, out, results };
  parentPort!.postMessage(reply, [span, out]);
});
