// Writes one regular file: created exclusively (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600 while it is
// written), filled from the store with read-ahead (readFileContent), with consecutive chunks
// gathered into large positional writev calls. A chunk that is all zeros is not written at
// all: the position moves past it, and an ftruncate to the file's size (made only when the
// writes end short of it) leaves a hole.
// A damaged or missing chunk does not stop the file: its range stays zeros and the caller is
// told which bytes are affected, so everything readable is still recovered.
//
// Opening, truncating, metadata and closing are synchronous calls, and so are the writes of
// small files (most of a typical tree): each is one short syscall on data already in memory,
// far cheaper than a round trip through libuv's thread pool (see applyMetadata.ts). Large
// files are written asynchronously, one write in flight while the next chunks are read.
import { closeSync, constants, ftruncateSync, openSync, unlinkSync, writev, writevSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Reporter } from '../core/reporter.js';
import type { BlockSource } from '../core/blocks.js';
import type { TreeEntry } from '../tree/entry.js';
import { readFileContent } from '../tree/readFileContent.js';
import { applyFdMetadata, type MetadataContext } from './applyMetadata.js';
import { createExclusive, isConflict, isLeftAlone, type Conflict, type LeftAlone, type OverwritePolicy } from './destination.js';
import { sameAsEntry, type SameContext } from './sameAsEntry.js';

export interface FileContext extends MetadataContext, SameContext {
  store: BlockSource;
  reporter: Reporter;
  overwrite: OverwritePolicy;
}

export interface DamagedRange { offset: number; length: number; error: unknown }

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** Files up to this size are written with synchronous calls. */
export const SMALL_FILE = 1 << 20;
const WRITE_BYTES = 2 << 20;
const ZEROS = Buffer.alloc(64 << 10);
const writevAsync = promisify(writev);

function isAllZeros(data: Buffer): boolean {
  if (data[0] !== 0 || data[data.length - 1] !== 0) return false;
  for (let i = 0; i < data.length; i += ZEROS.length) {
    const part = data.subarray(i, i + ZEROS.length);
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}

async function writeAll(fd: number, buffers: Buffer[], position: number, sync: boolean): Promise<void> {
  let rest = buffers;
  let total = rest.reduce((n, b) => n + b.length, 0);
  while (total > 0) {
    const n = sync ? writevSync(fd, rest, position) : (await writevAsync(fd, rest, position)).bytesWritten;
    if (n === total) return;
    // A short write (rare on regular files): go on with what is left.
    const left = Buffer.concat(rest).subarray(n);
    rest = [left];
    total = left.length;
    position += n;
  }
}

/** Writes the file's chunks; returns the damaged ranges and where the last write ended. */
async function writeContent(fd: number, entry: TreeEntry, ctx: FileContext): Promise<{ damaged: DamagedRange[]; written: number }> {
  const damaged: DamagedRange[] = [];
  const sync = entry.size <= SMALL_FILE;
  let batch: Buffer[] = [], start = 0, end = 0;
  // One write is left in flight while the next batch is read and decompressed; the next flush
  // (or the end) waits for it. The catch only marks it handled: its error surfaces there.
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (!batch.length) return;
    const buffers = batch, at = start, bytes = end - start;
    batch = [];
    await writing;
    writing = writeAll(fd, buffers, at, sync).then(() => ctx.reporter.bytes?.(bytes));
    writing.catch(() => undefined);
  };
  const pieces = readFileContent(ctx.store, entry.content, {
    onDamaged: (error, offset, length) => damaged.push({ offset, length, error }),
  });
  try {
    for await (const { offset, data } of pieces) {
      if (batch.length && (offset !== end || end - start + data.length > WRITE_BYTES)) await flush();
      if (isAllZeros(data)) {
        ctx.reporter.bytes?.(data.length);
        continue;
      }
      if (!batch.length) start = offset;
      batch.push(data);
      end = offset + data.length;
    }
    await flush();
  } finally {
    // Whatever happened, no write may still run when the caller closes the descriptor: its
    // number could already name another file.
    await writing.catch(() => undefined);
  }
  await writing;
  return { damaged, written: end };
}

/**
 * Restores `entry` at `path`. Returns the damaged ranges ([] when the file is whole), a
 * Conflict when something is in the way, or why an existing file was left alone (destination.ts).
 * Throws on I/O errors and when the file's chunk list cannot be read (then the file is removed again).
 */
export async function restoreFile(path: Buffer, entry: TreeEntry, display: string, ctx: FileContext): Promise<DamagedRange[] | Conflict | LeftAlone> {
  const fd = await createExclusive(path, ctx.overwrite, async () => openSync(path, CREATE_FLAGS, 0o600), (st) => sameAsEntry(path, st, entry, ctx));
  if (isConflict(fd) || isLeftAlone(fd)) return fd;
  try {
    const { damaged, written } = await writeContent(fd, entry, ctx);
    // The file is new and empty: only a hole or damage at its end leaves it short of its size.
    if (written !== entry.size) ftruncateSync(fd, entry.size);
    await applyFdMetadata(fd, entry, display, ctx);
    return damaged;
  } catch (err) {
    try {
      unlinkSync(path);
    } catch {
      // already gone: nothing to clean up
    }
    throw err;
  } finally {
    closeSync(fd);
  }
}
