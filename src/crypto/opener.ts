// Opens what a Sealer sealed. An envelope that does not authenticate (a changed, truncated or
// swapped byte, or a block or record presented under another address, type or name) is damage:
// BLOCK_DAMAGED for blocks, REPO_DAMAGED for records; it is never decrypted into garbage. A
// write-only key asking for what only full keys read gets DedupfsError('KEY').
// Session keys are cached by session: a repository holds few sessions (one per writer run),
// so after the first block of a pack the X25519 exchange is not repeated.
import { addressToHex } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import { blockContext, openDetached, openEnvelope, readEnvelopeHeader, recordContext, SealKind, type EnvelopeHeader, type RecordName } from './envelope.js';
import { requireFull, type KeyMaterial } from './keyMaterial.js';
import { readerOpeningKey, writerSessionKey } from './sessionKeys.js';

const CACHE_LIMIT = 4096;

export class Opener {
  readonly #material: KeyMaterial;
  readonly #keys = new Map<string, Buffer>();
  /** the session of the envelope opened last (kind, generation, session tag: header bytes 1 to 37) and its key: blocks come in runs of one session */
  #last: { session: Buffer; key: Buffer } | null = null;

  constructor(material: KeyMaterial) {
    this.#material = material;
  }

  /** The session key that opens an envelope with `header` (`bytes` its encoding), or null when the header is damaged. */
  #key(header: EnvelopeHeader, bytes: Buffer): Buffer | null {
    const session = bytes.subarray(1, 38);
    if (this.#last?.session.equals(session)) return this.#last.key;
    const key = this.#sessionKey(header);
    if (key) this.#last = { session: Buffer.from(session), key };
    return key;
  }

  #sessionKey(header: EnvelopeHeader): Buffer | null {
    const id = `${header.kind}:${header.generation}:${header.sessionTag.toString('hex')}`;
    let key = this.#keys.get(id);
    if (key) return key;
    const g = this.#material.generations[header.generation - 1];
    if (!g) return null;
    if (header.kind === SealKind.WriterRecord) key = writerSessionKey(g.recordKey, header.sessionTag);
    else if (g.privateKey) key = readerOpeningKey(g.privateKey, g.publicKey, header) ?? undefined;
    if (!key) return null;
    if (this.#keys.size >= CACHE_LIMIT) this.#keys.clear();
    this.#keys.set(id, key);
    return key;
  }

  /** With `detached` (an envelope's header kept apart), `sealed` is the envelope's body alone. */
  #open(sealed: Buffer, kinds: SealKind[], context: Buffer, detached?: Buffer): Buffer | null {
    const bytes = detached ?? sealed;
    const header = readEnvelopeHeader(bytes);
    if (!header || !kinds.includes(header.kind)) return null;
    if (header.kind !== SealKind.WriterRecord) requireFull(this.#material, 'read blocks or snapshot contents');
    const key = this.#key(header, bytes);
    if (!key) return null;
    return detached ? openDetached(key, detached, sealed, context) : openEnvelope(key, sealed, context);
  }

  /**
   * The plaintext of a sealed block; throws BLOCK_DAMAGED unless it opens as exactly this address
   * and type. With `header`, `sealed` is the envelope's body and `header` its header (format 4).
   */
  openBlock(address: Buffer, type: number, sealed: Buffer, header?: Buffer): Buffer {
    const plain = this.#open(sealed, [SealKind.Block], blockContext(address, type), header);
    if (plain) return plain;
    throw new DedupfsError('BLOCK_DAMAGED', `block ${addressToHex(address)} is damaged: its sealed bytes do not authenticate`, {
      hint: 'the block was changed, truncated or moved; run dedupfs check --read-data to see what it affects',
      data: { address: addressToHex(address) },
    });
  }

  /** The plaintext of a sealed record (either audience); throws REPO_DAMAGED unless it opens as exactly this type and name. */
  openRecord(record: RecordName, sealed: Buffer): Buffer {
    const plain = this.#open(sealed, [SealKind.ReaderRecord, SealKind.WriterRecord], recordContext(record));
    if (plain) return plain;
    throw new DedupfsError('REPO_DAMAGED', `${record.type} record ${record.name} is damaged: its sealed bytes do not authenticate`, {
      hint: 'the record was changed, truncated, or stored under another name; run dedupfs check',
      data: { record: record.type, name: record.name },
    });
  }
}
