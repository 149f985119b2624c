// What a key grants, as held in memory once a password has opened it. A repository has one
// content key (keyed addresses and the gear table: every writer needs it to deduplicate) and a
// list of generations; each generation is an X25519 key pair (blocks and reader records are
// sealed to its public half) and a record key (writer records: what every key may read back).
// A full key holds every generation with its private half; a write-only key holds the same
// generations without any private half, so it can seal but never open what readers alone read.
import { randomBytes } from 'node:crypto';
import { DedupfsError } from '../core/errors.js';
import { generateX25519 } from './x25519.js';

export type KeyKind = 'full' | 'write-only';

export interface Generation {
  /** 1, 2, ...: raised by each rotation. */
  number: number;
  publicKey: Buffer;
  /** Only in full keys. */
  privateKey?: Buffer;
  recordKey: Buffer;
}

export interface KeyMaterial {
  kind: KeyKind;
  contentKey: Buffer;
  /** Oldest first; the last one seals new data. */
  generations: Generation[];
}

export const SECRET_BYTES = 32;

function newGeneration(number: number): Generation {
  return { number, ...generateX25519(), recordKey: randomBytes(SECRET_BYTES) };
}

/** A new repository's keys: a fresh content key and generation 1. */
/** `contentKey`: another repository's, so both address and chunk alike (init --copy-chunker-params-from); default a new one. */
export function createKeyMaterial(contentKey: Buffer = randomBytes(SECRET_BYTES)): KeyMaterial {
  if (contentKey.length !== SECRET_BYTES) throw new RangeError(`a content key is ${SECRET_BYTES} bytes`);
  return { kind: 'full', contentKey: Buffer.from(contentKey), generations: [newGeneration(1)] };
}

/** The generation that seals new data. */
export function currentGeneration(material: KeyMaterial): Generation {
  return material.generations[material.generations.length - 1];
}

/** `material` with a new generation appended (a rotation); only a full key can rotate. */
export function addGeneration(material: KeyMaterial): KeyMaterial {
  requireFull(material, 'rotate the repository keys');
  return { ...material, generations: [...material.generations, newGeneration(currentGeneration(material).number + 1)] };
}

/** What a write-only key derived from `material` holds: no private halves. */
export function writeOnlyView(material: KeyMaterial): KeyMaterial {
  return {
    kind: 'write-only',
    contentKey: material.contentKey,
    generations: material.generations.map(({ number, publicKey, recordKey }) => ({ number, publicKey, recordKey })),
  };
}

/** Throws DedupfsError('KEY') unless `material` is a full key; `what` completes "a write-only key cannot ...". */
export function requireFull(material: KeyMaterial, what: string): void {
  if (material.kind !== 'full') {
    throw new DedupfsError('KEY', `a write-only key cannot ${what}`, { hint: 'use a password of a full key (dedupfs key list shows which keys are full)' });
  }
}

/** JSON-ready form, for sealing inside a key grant. */
export function encodeKeyMaterial(material: KeyMaterial): Buffer {
  return Buffer.from(JSON.stringify({
    v: 1,
    kind: material.kind,
    contentKey: material.contentKey.toString('base64'),
    generations: material.generations.map((g) => ({
      n: g.number,
      pk: g.publicKey.toString('base64'),
      ...(g.privateKey ? { sk: g.privateKey.toString('base64') } : {}),
      rk: g.recordKey.toString('base64'),
    })),
  }));
}

/** The inverse of encodeKeyMaterial; null when the bytes are not a key material record. */
export function decodeKeyMaterial(bytes: Buffer): KeyMaterial | null {
  try {
    const j = JSON.parse(bytes.toString('utf8'));
    if (j.v !== 1 || (j.kind !== 'full' && j.kind !== 'write-only') || !Array.isArray(j.generations) || j.generations.length === 0) return null;
    const secret = (s: unknown) => {
      const b = Buffer.from(String(s), 'base64');
      if (b.length !== SECRET_BYTES) throw new Error('bad key length');
      return b;
    };
    const generations: Generation[] = j.generations.map((g: Record<string, unknown>, i: number) => {
      if (g.n !== i + 1) throw new Error('generations out of order');
      if (j.kind === 'full' && g.sk === undefined) throw new Error('full key without a private key');
      return { number: i + 1, publicKey: secret(g.pk), ...(j.kind === 'full' ? { privateKey: secret(g.sk) } : {}), recordKey: secret(g.rk) };
    });
    return { kind: j.kind, contentKey: secret(j.contentKey), generations };
  } catch {
    return null;
  }
}
