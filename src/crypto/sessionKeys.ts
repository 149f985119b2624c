// The keys of one writer session, derived with HKDF-SHA256. A session starts with a fresh
// ephemeral X25519 key pair; its exchange with a generation's public key gives the keys of
// blocks, reader records and key grants (only the generation's private half can redo the
// exchange), and the generation's record key, salted with the same ephemeral public key, gives
// the key of writer records. Every session key is therefore new and random, which is what lets
// nonces be plain counters (envelope.ts).
import { hkdfSync } from 'node:crypto';
import { SealKind, type EnvelopeHeader } from './envelope.js';
import { x25519 } from './x25519.js';

const KEY_BYTES = 32;

/** The key of a reader kind (Block, ReaderRecord, Grant) from the exchange's shared secret. */
export function readerSessionKey(shared: Buffer, sessionTag: Buffer, recipientPublic: Buffer, kind: SealKind): Buffer {
  const salt = Buffer.concat([sessionTag, recipientPublic]);
  return Buffer.from(hkdfSync('sha256', shared, salt, `dedupfs seal v1 kind ${kind}`, KEY_BYTES));
}

/** The key of writer records of a session. */
export function writerSessionKey(recordKey: Buffer, sessionTag: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', recordKey, sessionTag, `dedupfs seal v1 kind ${SealKind.WriterRecord}`, KEY_BYTES));
}

/** The reader key that opens an envelope with `header`, or null when the exchange fails (damage). */
export function readerOpeningKey(privateKey: Buffer, recipientPublic: Buffer, header: EnvelopeHeader): Buffer | null {
  const shared = x25519(privateKey, header.sessionTag);
  return shared && readerSessionKey(shared, header.sessionTag, recipientPublic, header.kind);
}
