// Lists the blocks a pack holds, from the pack alone: from its trailer when it has a valid one,
// else by walking the record headers from the start (a pack cut short by a crash or damage).
// Used to rebuild the index and by check and gc, never on the hot path. The pack is read through
// a PackSource, so the same code reads a local file or an object in a bucket (packSpace.ts).
import { open } from 'node:fs/promises';
import { PACK_MAGIC, HEADER_BYTES, ENTRY_BYTES, FOOTER_BYTES, decodeHeader, decodeFooter, decodeTrailerEntries, type PackEntry } from './format.js';

export interface PackContents {
  entries: PackEntry[];
  /** true when a valid trailer was found and used */
  sealed: boolean;
  size: number;
  /** what was wrong, if anything: missing magic, a torn record, no trailer */
  problems: string[];
}

/** Random access to one pack's bytes; `read` may return fewer bytes at the end of the pack. */
export interface PackSource {
  size: number;
  read(position: number, length: number): Promise<Buffer>;
}

/** The entries of the pack file at `path`. */
export async function readPackEntries(path: string): Promise<PackContents> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    return await readPackSource({
      size,
      read: async (position, length) => {
        const buf = Buffer.alloc(length);
        const { bytesRead } = await fh.read(buf, 0, length, position);
        return buf.subarray(0, bytesRead);
      },
    });
  } finally {
    await fh.close();
  }
}

export async function readPackSource(src: PackSource): Promise<PackContents> {
  const { size } = src;
  const problems: string[] = [];
  const head = await src.read(0, Math.min(size, PACK_MAGIC.length));
  if (!head.equals(PACK_MAGIC)) return { entries: [], sealed: false, size, problems: ['not a pack (bad magic)'] };

  if (size >= PACK_MAGIC.length + FOOTER_BYTES) {
    const count = decodeFooter(await src.read(size - FOOTER_BYTES, FOOTER_BYTES));
    const trailerStart = count === null ? -1 : size - FOOTER_BYTES - count * ENTRY_BYTES;
    if (count !== null && trailerStart >= PACK_MAGIC.length) {
      const entries = decodeTrailerEntries(await src.read(trailerStart, count * ENTRY_BYTES), count);
      const last = entries.at(-1);
      if (!last || last.offset + HEADER_BYTES + last.storedLength === trailerStart) return { entries, sealed: true, size, problems };
      problems.push('trailer does not match the pack length');
    } else {
      problems.push('no trailer (pack was not sealed)');
    }
  }

  const entries: PackEntry[] = [];
  let offset = PACK_MAGIC.length;
  while (offset + HEADER_BYTES <= size) {
    const entry = decodeHeader(await src.read(offset, HEADER_BYTES), 0);
    if (!entry) break;
    if (offset + HEADER_BYTES + entry.storedLength > size) {
      problems.push(`record at offset ${offset} is cut short`);
      break;
    }
    entries.push({ ...entry, offset });
    offset += HEADER_BYTES + entry.storedLength;
  }
  return { entries, sealed: false, size, problems };
}
