// A read worker thread (readPool.ts): checks each record of a span read from a pack
// (openRecord.ts: open, decompress, hash) and sends back the blocks' raw bytes in one buffer, or
// per record what is wrong with it. In an encrypted repository it opens blocks and hashes with
// the keys it is given (a full key's: a write-only one reads no block).
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

parentPort!.on('message', ({ id, span, records }: ReadRequest) => {
  const b = Buffer.from(span);
  const out = Buffer.allocUnsafeSlow(records.reduce((n, r) => n + r.shape.rawLength, 0));
  let at = 0;
  const results = records.map(({ start, end, address, shape }): ReadResult => {
    try {
      const r = openRecord(b.subarray(start, end), Buffer.from(address), shape, hash, open);
      if (!('raw' in r)) return { why: r.why, cause: r.cause === undefined ? undefined : (r.cause as Error).message };
      out.set(r.raw, at);
      at += r.raw.length;
      return { at: at - r.raw.length, length: r.raw.length };
    } catch (err) {
      return { error: err instanceof DedupfsError ? { code: err.code, message: err.message, hint: err.hint } : { message: (err as Error).message } };
    }
  });
  const reply: ReadReply = { id, out: out.buffer as ArrayBuffer, results };
  parentPort!.postMessage(reply, [reply.out]);
});
