// Lists the blocks a pack holds, from the pack alone: from its trailer when it has a valid one,
// else by walking the record headers from the start (a pack cut short by a crash or damage).
// Used to rebuild the index and by check, never on the hot path.
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

export async function readPackEntries(path: string): Promise<PackContents> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const problems: string[] = [];
    const head = Buffer.alloc(PACK_MAGIC.length);
    await fh.read(head, 0, head.length, 0);
    if (!head.equals(PACK_MAGIC)) return { entries: [], sealed: false, size, problems: ['not a pack (bad magic)'] };

    if (size >= PACK_MAGIC.length + FOOTER_BYTES) {
      const footer = Buffer.alloc(FOOTER_BYTES);
      await fh.read(footer, 0, FOOTER_BYTES, size - FOOTER_BYTES);
      const count = decodeFooter(footer);
      const trailerStart = count === null ? -1 : size - FOOTER_BYTES - count * ENTRY_BYTES;
      if (count !== null && trailerStart >= PACK_MAGIC.length) {
        const body = Buffer.alloc(count * ENTRY_BYTES);
        await fh.read(body, 0, body.length, trailerStart);
        const entries = decodeTrailerEntries(body, count);
        const last = entries.at(-1);
        if (!last || last.offset + HEADER_BYTES + last.storedLength === trailerStart) return { entries, sealed: true, size, problems };
        problems.push('trailer does not match the pack length');
      } else {
        problems.push('no trailer (pack was not sealed)');
      }
    }

    const entries: PackEntry[] = [];
    const header = Buffer.alloc(HEADER_BYTES);
    let offset = PACK_MAGIC.length;
    while (offset + HEADER_BYTES <= size) {
      await fh.read(header, 0, HEADER_BYTES, offset);
      const entry = decodeHeader(header, 0);
      if (!entry) break;
      if (offset + HEADER_BYTES + entry.storedLength > size) {
        problems.push(`record at offset ${offset} is cut short`);
        break;
      }
      entries.push({ ...entry, offset });
      offset += HEADER_BYTES + entry.storedLength;
    }
    return { entries, sealed: false, size, problems };
  } finally {
    await fh.close();
  }
}
