// What a directory entry holds: every kind of file the ingest keeps, with its metadata. Names,
// symlink targets and xattr values are raw bytes (Buffers), never decoded text, so any name
// round-trips. A regular file's content is a list of chunk addresses (inline, or through list
// blocks for large files: see chunkList.ts); a directory's content is the address of its tree.
import type { Address } from '../core/address.js';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'fifo' | 'chardev' | 'blockdev' | 'socket';

export interface ChunkRef { address: Address; length: number }
/** A list block holding `chunks` chunk references that cover `bytes` bytes of the file. */
export interface ListRef { address: Address; chunks: number; bytes: number }
/** A file's content: its chunks inline (small files) or the list blocks that name them. */
export type FileContent = { chunks: ChunkRef[] } | { lists: ListRef[] };

export interface TreeEntry {
  name: Buffer;
  kind: EntryKind;
  mode: number;          // st_mode, type bits included
  uid: number;
  gid: number;
  user?: string;
  group?: string;
  size: number;
  mtimeNs: bigint;
  atimeNs: bigint;
  ctimeNs: bigint;
  ino: number;           // of the source, for change detection and hard-link identity
  nlink: number;
  rdev?: number;         // devices
  xattrs?: Array<[string, Buffer]>;
  target?: Buffer;       // symlinks
  content?: FileContent; // regular files
  subtree?: Address;     // directories
  linkId?: string;       // hard links: entries with the same linkId are one file
}

export function compareNames(a: TreeEntry, b: TreeEntry): number {
  return Buffer.compare(a.name, b.name);
}
