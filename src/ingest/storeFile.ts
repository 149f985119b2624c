// Reads one regular file, cuts it into chunks and adds each new chunk to the store. The file is
// opened with O_NOFOLLOW | O_NONBLOCK and checked with fstat, so a file swapped for a symlink or a
// fifo between the walk and the read is never followed and never hangs the ingest.
import { constants, type BigIntStats } from 'node:fs';
import { open } from 'node:fs/promises';
import { chunkFile, type Chunker } from '../chunker/index.js';
import { DedupfsError, ioError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { readXattrs } from '../core/xattrs.js';
import type { BlockStore } from '../store/blockStore.js';
import { BlockType } from '../store/pack/format.js';
import { storeChunkList } from '../tree/chunkList.js';
import type { ChunkRef, FileContent } from '../tree/entry.js';

export interface StoredFile {
  content: FileContent;
  xattrs: Array<[string, Buffer]>;
  /** bytes actually read (the size of what was stored) */
  size: number;
  /** set when the file changed while it was read */
  changed: boolean;
}

export async function storeFile(path: Buffer, before: BigIntStats, ctx: { store: BlockStore; chunker: Chunker; reporter: Reporter }): Promise<StoredFile> {
  const display = path.toString();
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    throw ioError(err, 'cannot read', display);
  }
  try {
    const st = await fh.stat({ bigint: true });
    if (!st.isFile()) throw new DedupfsError('IO', `cannot read ${display}: it is no longer a regular file`);
    const xattrs = await readXattrs(fh.fd);
    const chunks: ChunkRef[] = [];
    let size = 0;
    // Read through our descriptor's /proc path: the very file we checked, whatever its name.
    for await (const chunk of chunkFile(`/proc/self/fd/${fh.fd}`, ctx.chunker)) {
      chunks.push({ address: ctx.store.add(BlockType.Data, chunk.data).address, length: chunk.length });
      size += chunk.length;
      ctx.reporter.bytes?.(chunk.length);
      await ctx.store.waitForRoom();
    }
    const after = await fh.stat({ bigint: true });
    const changed = after.size !== before.size || after.mtimeNs !== before.mtimeNs || BigInt(size) !== before.size;
    return { content: storeChunkList(ctx.store, chunks), xattrs, size, changed };
  } finally {
    await fh.close();
  }
}
