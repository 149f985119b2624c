// `ingest --stdin`: standard input (a database dump, a tar stream) stored as one regular file of
// the snapshot's root, named by --stdin-name. There is nothing to stat: the entry takes the
// time of the ingest, this process's owner, and mode 0666 less the umask, as a file written by
// `cat > NAME` would have.
import type { Readable } from 'node:stream';
import { chunkStream } from '../chunker/index.js';
import { DedupfsError } from '../core/errors.js';
import { ChunkListWriter } from '../tree/chunkList.js';
import type { TreeEntry } from '../tree/entry.js';
import type { OwnerNames } from './ownerNames.js';
import { storeChunk, type StoreContext } from './storeFile.js';

export interface StdinSource {
  /** the file's name in the snapshot's root */
  name: string;
  stream: Readable | AsyncIterable<Uint8Array>;
}

/** Checks a --stdin-name: one plain file name. */
export function checkStdinName(name: string): void {
  if (!name || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new DedupfsError('USAGE', `--stdin-name '${name}' is not a file name`, { hint: 'give a plain name such as db.sql, without a slash' });
  }
}

/** Reads `source.stream` to its end, storing its chunks; returns the file's tree entry. */
export async function storeStdin(source: StdinSource, ctx: StoreContext & { owners: OwnerNames; time: Date; status: 'new' | 'changed' }): Promise<TreeEntry> {
  checkStdinName(source.name);
  const list = new ChunkListWriter(ctx.store);
  let size = 0;
  ctx.reporter.item?.(`(stdin) ${source.name}`);
  for await (const chunk of chunkStream(source.stream, ctx.chunker)) {
    storeChunk(ctx, list, chunk.data);
    size += chunk.length;
    await ctx.store.waitForRoom();
    ctx.signal?.throwIfAborted();
  }
  ctx.reporter.stored?.({ path: `/${source.name}`, status: ctx.status, size });
  ctx.reporter.fileDone?.();
  const uid = process.getuid?.() ?? 0, gid = process.getgid?.() ?? 0;
  const ns = BigInt(ctx.time.getTime()) * 1_000_000n;
  return {
    name: Buffer.from(source.name), kind: 'file', mode: 0o100000 | (0o666 & ~process.umask()),
    uid, gid, user: ctx.owners.user(uid), group: ctx.owners.group(gid), size,
    mtimeNs: ns, atimeNs: ns, ctimeNs: ns, ino: 0, nlink: 1, content: list.finish(),
  };
}
