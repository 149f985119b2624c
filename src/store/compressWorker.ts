// A compression worker thread: compresses (and, in an encrypted repository, seals with a Sealer
// of its own, and in format 4 lays out as sealed records) each batch of records it is sent (recordBatch.ts, batchWork.ts) in place, and hands
// the batch's memory back with the message.
import { parentPort, workerData } from 'node:worker_threads';
import { decodeKeyMaterial, packSealing, Sealer } from '../crypto/index.js';
import type { BatchLayout } from './recordBatch.js';
import { batchWork, type BatchSettings } from './batchWork.js';
import { sealedPacks } from './pack/sealedFormat.js';

export interface CompressRequest { id: number; buffer: ArrayBuffer; count: number }
export interface CompressReply { id: number; buffer: ArrayBuffer; layout?: BatchLayout; error?: string }

const settings = workerData as BatchSettings;
const material = settings.keys ? decodeKeyMaterial(Buffer.from(settings.keys)) : null;
if (settings.keys && !material) throw new Error('the compression worker was given damaged key material');
const sealer = material ? new Sealer(material) : null;
const format = material && settings.sealedPacks ? sealedPacks(packSealing(material)) : undefined;
const work = batchWork(settings, sealer ? (address, type, stored, into) => sealer.sealBlock(address, type, stored, into) : undefined, format);

parentPort!.on('message', ({ id, buffer, count }: CompressRequest) => {
  let reply: CompressReply;
  try {
    reply = { id, buffer, layout: work(Buffer.from(buffer), count) };
  } catch (err) {
    reply = { id, buffer, error: (err as Error).message };
  }
  parentPort!.postMessage(reply, [buffer]);
});
