// One writer session: an ephemeral X25519 exchange with a recipient public key, the session
// keys that follow from it, and the counter that numbers its envelopes. The ephemeral private
// key is dropped as soon as the keys are derived: a session can seal but never reopen what it
// sealed (its holder needs the generation's private key for that).
import { sealEnvelope, SealKind } from './envelope.js';
import { readerSessionKey, writerSessionKey } from './sessionKeys.js';
import { generateX25519, x25519 } from './x25519.js';

/** Envelopes per session before a new one is started (ChaCha20-Poly1305 allows far more; this keeps every key lightly used). */
export const SESSION_LIMIT = 2n ** 32n;

export class SealSession {
  readonly #generation: number;
  readonly #tag: Buffer;
  readonly #keys = new Map<SealKind, Buffer>();
  #counter = 0n;

  constructor(recipientPublic: Buffer, generation: number, recordKey?: Buffer) {
    const ephemeral = generateX25519();
    const shared = x25519(ephemeral.privateKey, recipientPublic);
    if (!shared) throw new Error('X25519 exchange with the recipient public key failed');
    this.#generation = generation;
    this.#tag = ephemeral.publicKey;
    for (const kind of [SealKind.Block, SealKind.ReaderRecord, SealKind.Grant]) {
      this.#keys.set(kind, readerSessionKey(shared, this.#tag, recipientPublic, kind));
    }
    if (recordKey) this.#keys.set(SealKind.WriterRecord, writerSessionKey(recordKey, this.#tag));
  }

  /** True once the session has sealed SESSION_LIMIT envelopes: start a new one. */
  get exhausted(): boolean {
    return this.#counter >= SESSION_LIMIT;
  }

  /** The envelope of `plaintext`; written at the start of `into` when given (see sealEnvelope). */
  seal(kind: SealKind, context: Buffer, plaintext: Buffer, into?: Buffer): Buffer {
    const key = this.#keys.get(kind);
    if (!key) throw new Error(`this session has no key for envelope kind ${kind}`);
    if (this.exhausted) throw new Error('seal session exhausted');
    const counter = this.#counter++;
    return sealEnvelope(key, { kind, generation: this.#generation, sessionTag: this.#tag, counter }, context, plaintext, into);
  }
}
