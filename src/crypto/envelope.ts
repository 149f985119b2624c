// The bytes of everything sealed: one self-describing envelope per block or record, so a block
// can be read alone (from its index location) and copied to another pack unchanged.
//
//   envelope := version(1)=1 kind(1) generation(u32le) sessionTag(32) counter(u64le) ciphertext tag(16)
//
// kind says which key opens it (SealKind). sessionTag is the writer session's ephemeral X25519
// public key: with the generation's private key it gives the session's keys (sessionKeys.ts).
// The nonce is the counter (8 bytes, little-endian) and 4 zero bytes; a session key is fresh
// and random for every session, and a session never reuses a counter, so no (key, nonce) pair
// repeats however many processes and hosts write at once. The associated data is the header
// followed by a context that names what the plaintext is (a block's type and address, or a
// record's type and name): an envelope presented as anything else does not open.
import { createCipheriv, createDecipheriv } from 'node:crypto';

export enum SealKind { Block = 0, ReaderRecord = 1, WriterRecord = 2, Grant = 3 }

export const ENVELOPE_VERSION = 1;
export const ENVELOPE_HEADER_BYTES = 46;
export const TAG_BYTES = 16;
/** Bytes an envelope adds to its plaintext. */
export const SEAL_OVERHEAD = ENVELOPE_HEADER_BYTES + TAG_BYTES;

/** ChaCha20-Poly1305: measured as fast as AES-256-GCM here, and constant-time without AES instructions. */
const CIPHER = 'chacha20-poly1305';

export interface EnvelopeHeader {
  kind: SealKind;
  generation: number;
  sessionTag: Buffer;
  counter: bigint;
}

function encodeHeader(h: EnvelopeHeader): Buffer {
  const b = Buffer.alloc(ENVELOPE_HEADER_BYTES);
  b[0] = ENVELOPE_VERSION;
  b[1] = h.kind;
  b.writeUInt32LE(h.generation, 2);
  h.sessionTag.copy(b, 6);
  b.writeBigUInt64LE(h.counter, 38);
  return b;
}

/** The header at the start of `sealed` (an envelope, or its header alone), or null when it is too short or not a header this code knows. */
export function readEnvelopeHeader(sealed: Buffer): EnvelopeHeader | null {
  if (sealed.length < ENVELOPE_HEADER_BYTES || sealed[0] !== ENVELOPE_VERSION || sealed[1] > SealKind.Grant) return null;
  return {
    kind: sealed[1],
    generation: sealed.readUInt32LE(2),
    sessionTag: sealed.subarray(6, 38),
    counter: sealed.readBigUInt64LE(38),
  };
}

function nonce(header: Buffer): Buffer {
  const n = Buffer.alloc(12);
  header.copy(n, 0, 38, 46);
  return n;
}

/** Seals `plaintext` under `key` with `header`; `context` is bound as associated data. */
export function sealEnvelope(key: Buffer, h: EnvelopeHeader, context: Buffer, plaintext: Buffer, into?: Buffer): Buffer {
  const header = encodeHeader(h);
  const cipher = createCipheriv(CIPHER, key, nonce(header), { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.concat([header, context]), { plaintextLength: plaintext.length });
  // A new buffer, so `into` may overlap `plaintext` (a block sealed where it lies in its batch).
  const body = cipher.update(plaintext);
  cipher.final();
  const length = SEAL_OVERHEAD + body.length;
  if (into && into.length < length) throw new RangeError(`an envelope of ${length} bytes does not fit in ${into.length}`);
  const out = into ? into.subarray(0, length) : Buffer.allocUnsafe(length);
  header.copy(out, 0);
  body.copy(out, ENVELOPE_HEADER_BYTES);
  cipher.getAuthTag().copy(out, ENVELOPE_HEADER_BYTES + body.length);
  return out;
}

/** The plaintext of `sealed`, or null when it does not authenticate under `key` and `context`. */
export function openEnvelope(key: Buffer, sealed: Buffer, context: Buffer): Buffer | null {
  if (sealed.length < SEAL_OVERHEAD) return null;
  return openDetached(key, sealed.subarray(0, ENVELOPE_HEADER_BYTES), sealed.subarray(ENVELOPE_HEADER_BYTES), context);
}

/**
 * The plaintext of an envelope kept in two parts: its `header` and its `body` (ciphertext and
 * tag), as a format 4 pack keeps them (the header in the pack's sealed trailer and the index);
 * null when they do not authenticate.
 */
export function openDetached(key: Buffer, header: Buffer, body: Buffer, context: Buffer): Buffer | null {
  if (header.length !== ENVELOPE_HEADER_BYTES || body.length < TAG_BYTES) return null;
  const text = body.subarray(0, body.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv(CIPHER, key, nonce(header), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.concat([header, context]), { plaintextLength: text.length });
    decipher.setAuthTag(body.subarray(text.length));
    const out = decipher.update(text);
    decipher.final();
    return out;
  } catch {
    return null;
  }
}

/** The context of a block: its type and address. */
export function blockContext(address: Buffer, type: number): Buffer {
  const b = Buffer.alloc(2 + address.length);
  b[0] = 0x42; // 'B'
  b[1] = type;
  address.copy(b, 2);
  return b;
}

/** What a sealed record is: its type (e.g. 'snapshot', 'pack-trailer') and its name (e.g. the snapshot id). */
export interface RecordName {
  type: string;
  name: string;
}

/** The context of a record: its type and name, each length-prefixed. */
export function recordContext(record: RecordName): Buffer {
  const type = Buffer.from(record.type, 'utf8');
  const name = Buffer.from(record.name, 'utf8');
  const b = Buffer.alloc(5 + type.length + name.length);
  b[0] = 0x52; // 'R'
  b.writeUInt16LE(type.length, 1);
  type.copy(b, 3);
  b.writeUInt16LE(name.length, 3 + type.length);
  name.copy(b, 5 + type.length);
  return b;
}
