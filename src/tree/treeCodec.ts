// The bytes of a tree block: one directory's entries, sorted by name bytes, as compact JSON
// with binary fields in base64 and addresses in hex. Encoding is deterministic, so an unchanged
// directory encodes to the same bytes and costs nothing in the next snapshot.
import { addressFromHex, addressToHex } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import { compareNames, type EntryKind, type FileContent, type TreeEntry } from './entry.js';

const TREE_VERSION = 1;

const KIND_CODES: Record<EntryKind, string> = { file: 'f', dir: 'd', symlink: 'l', fifo: 'p', chardev: 'c', blockdev: 'b', socket: 's' };
const CODE_KINDS = Object.fromEntries(Object.entries(KIND_CODES).map(([k, v]) => [v, k])) as Record<string, EntryKind>;

interface WireEntry {
  n: string; k: string; m: number; u: number; g: number; un?: string; gn?: string; s: number;
  mt: string; at: string; ct: string; i: number; nl: number; rd?: number;
  x?: Array<[string, string]>; l?: string; c?: Array<[string, number]>; cl?: Array<[string, number, number]>; t?: string; h?: string;
}

function toWire(e: TreeEntry): WireEntry {
  const w: WireEntry = {
    n: e.name.toString('base64'), k: KIND_CODES[e.kind], m: e.mode, u: e.uid, g: e.gid, s: e.size,
    mt: e.mtimeNs.toString(), at: e.atimeNs.toString(), ct: e.ctimeNs.toString(), i: e.ino, nl: e.nlink,
  };
  if (e.user !== undefined) w.un = e.user;
  if (e.group !== undefined) w.gn = e.group;
  if (e.rdev !== undefined) w.rd = e.rdev;
  if (e.xattrs?.length) w.x = e.xattrs.map(([k, v]) => [k, v.toString('base64')]);
  if (e.target) w.l = e.target.toString('base64');
  if (e.content) {
    if ('chunks' in e.content) w.c = e.content.chunks.map((c) => [addressToHex(c.address), c.length]);
    else w.cl = e.content.lists.map((l) => [addressToHex(l.address), l.chunks, l.bytes]);
  }
  if (e.subtree) w.t = addressToHex(e.subtree);
  if (e.linkId) w.h = e.linkId;
  return w;
}

function fromWire(w: WireEntry): TreeEntry {
  const kind = CODE_KINDS[w.k];
  if (!kind || typeof w.n !== 'string') throw new Error(`bad entry kind ${w.k}`);
  let content: FileContent | undefined;
  if (w.c) content = { chunks: w.c.map(([a, length]) => ({ address: addressFromHex(a), length })) };
  else if (w.cl) content = { lists: w.cl.map(([a, chunks, bytes]) => ({ address: addressFromHex(a), chunks, bytes })) };
  return {
    name: Buffer.from(w.n, 'base64'), kind, mode: w.m, uid: w.u, gid: w.g, user: w.un, group: w.gn, size: w.s,
    mtimeNs: BigInt(w.mt), atimeNs: BigInt(w.at), ctimeNs: BigInt(w.ct), ino: w.i, nlink: w.nl, rdev: w.rd,
    xattrs: w.x?.map(([k, v]) => [k, Buffer.from(v, 'base64')]),
    target: w.l !== undefined ? Buffer.from(w.l, 'base64') : undefined,
    content,
    subtree: w.t ? addressFromHex(w.t) : undefined,
    linkId: w.h,
  };
}

export function encodeTree(entries: TreeEntry[]): Buffer {
  const sorted = [...entries].sort(compareNames);
  return Buffer.from(JSON.stringify({ v: TREE_VERSION, e: sorted.map(toWire) }));
}

export function decodeTree(block: Buffer): TreeEntry[] {
  try {
    const doc = JSON.parse(block.toString('utf8')) as { v: number; e: WireEntry[] };
    if (doc.v !== TREE_VERSION || !Array.isArray(doc.e)) throw new Error(`unknown tree version ${doc.v}`);
    return doc.e.map(fromWire);
  } catch (err) {
    throw new DedupfsError('REPO_DAMAGED', `a tree block cannot be decoded: ${(err as Error).message}`, { cause: err });
  }
}
