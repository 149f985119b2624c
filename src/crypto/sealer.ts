// Seals blocks and records for the repository with the newest key generation. One Sealer is one
// writer: it holds a session (sealSession.ts) and starts a new one when the old is used up.
// Blocks and reader records can be opened by full keys only; writer records (what a write-only
// host must read back to deduplicate: index objects, pack trailers, snapshot listings) by any
// key of the repository. A write-only key seals everything as well as a full one.
import { blockContext, recordContext, SealKind, type RecordName } from './envelope.js';
import { currentGeneration, type KeyMaterial } from './keyMaterial.js';
import { SealSession } from './sealSession.js';

/** Who may open a record: full keys only, or every key of the repository. */
export type Audience = 'readers' | 'writers';

export class Sealer {
  readonly #material: KeyMaterial;
  #session: SealSession;

  constructor(material: KeyMaterial) {
    this.#material = material;
    this.#session = this.#newSession();
  }

  #newSession(): SealSession {
    const g = currentGeneration(this.#material);
    return new SealSession(g.publicKey, g.number, g.recordKey);
  }

  #seal(kind: SealKind, context: Buffer, plaintext: Buffer, into?: Buffer): Buffer {
    if (this.#session.exhausted) this.#session = this.#newSession();
    return this.#session.seal(kind, context, plaintext, into);
  }

  /**
   * Seals a block's stored bytes (compressed or not). Its address and type are bound: the
   * envelope opens only as that block. Adds SEAL_OVERHEAD bytes. With `into`, the envelope is
   * written at its start (it may overlap `plaintext`) and a view of it returned: one copy less.
   */
  sealBlock(address: Buffer, type: number, plaintext: Buffer, into?: Buffer): Buffer {
    return this.#seal(SealKind.Block, blockContext(address, type), plaintext, into);
  }

  /** Seals a record for `audience`; its type and name are bound (a record renamed does not open). */
  sealRecord(record: RecordName, plaintext: Buffer, audience: Audience): Buffer {
    return this.#seal(audience === 'readers' ? SealKind.ReaderRecord : SealKind.WriterRecord, recordContext(record), plaintext);
  }
}
