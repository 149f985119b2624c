// Is what already lies at a restore destination the very entry being restored? Then a restore
// run again leaves it alone. A regular file is the same when its size and mtime match (within
// the microsecond or two that restore's float seconds may be off by) and its content hashes to
// the same chunks: the file is cut with the repository's chunker and each chunk's address
// compared with the entry's, so nothing is read from the repository but the file's chunk list. A symlink is the same when it
// points to the same target bytes; a fifo or device node when it is of the same kind (and
// device number). Only the content and kind count for these: their mode, owner and times are
// metadata, and metadata alone never makes a file "changed".
import type { BigIntStats } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { chunkFile, type Chunker } from '../chunker/index.js';
import type { HashFunction } from '../core/address.js';
import { loadChunkTable } from '../tree/chunkList.js';
import type { BlockReader } from '../core/blocks.js';
import type { TreeEntry } from '../tree/entry.js';

export interface SameContext { store: BlockReader; chunker: Chunker; hash: HashFunction }

export async function sameAsEntry(path: Buffer, st: BigIntStats, entry: TreeEntry, ctx: SameContext): Promise<boolean> {
  switch (entry.kind) {
    case 'file':
      return st.isFile() && st.size === BigInt(entry.size) && sameTime(st.mtimeNs, entry.mtimeNs) && sameContent(path, entry, ctx);
    case 'symlink':
      return st.isSymbolicLink() && (await readlink(path, { encoding: 'buffer' })).equals(entry.target ?? Buffer.alloc(0));
    case 'fifo':
      return st.isFIFO();
    case 'chardev':
      return st.isCharacterDevice() && Number(st.rdev) === entry.rdev;
    case 'blockdev':
      return st.isBlockDevice() && Number(st.rdev) === entry.rdev;
    default:
      return false;
  }
}

/** Times as restore sets them: through a float of seconds, so within a microsecond or two. */
function sameTime(a: bigint, b: bigint): boolean {
  const d = a - b;
  return d < 2000n && d > -2000n;
}

async function sameContent(path: Buffer, entry: TreeEntry, ctx: SameContext): Promise<boolean> {
  const table = await loadChunkTable(ctx.store, entry.content);
  let i = 0;
  try {
    for await (const chunk of chunkFile(path, ctx.chunker, { copy: false })) {
      if (i >= table.count || chunk.length !== table.length(i) || !ctx.hash(chunk.data).equals(table.address(i))) return false;
      i++;
    }
  } catch {
    return false; // unreadable: not known to be the same, so the policy decides
  }
  return i === table.count;
}
