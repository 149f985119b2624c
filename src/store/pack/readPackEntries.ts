// Lists the blocks a pack holds, from the pack alone: from its trailer when it has a valid one,
// else by walking the record headers from the start (a pack cut short by a crash or damage);
// in either layout (PackFormat: clear, or format 4's sealed one).
// Used to rebuild the index and by check and gc, never on the hot path. The pack is read through
// a PackSource, so the same code reads a local file or an object in a bucket (packSpace.ts).
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { CLEAR_PACKS, recordBytes, type PackEntry, type PackFormat } from './format.js';

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

/** The entries of the pack file at `path` (named by its id: packs/XX/<id>.pack, packs/tmp/<id>[-<lock>].tmp). */
export async function readPackEntries(path: string, format: PackFormat = CLEAR_PACKS): Promise<PackContents> {
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
    }, basename(path).slice(0, 32), format);
  } finally {
    await fh.close();
  }
}

export async function readPackSource(src: PackSource, packId: string, format: PackFormat = CLEAR_PACKS): Promise<PackContents> {
  const { size } = src;
  const { magic, footerBytes, headerBytes } = format;
  const problems: string[] = [];
  const head = await src.read(0, Math.min(size, magic.length));
  if (!head.equals(magic)) return { entries: [], sealed: false, size, problems: ['not a pack (bad magic)'] };

  if (size >= magic.length + footerBytes) {
    const length = format.trailerBytes(await src.read(size - footerBytes, footerBytes));
    const trailerStart = length === null ? -1 : size - footerBytes - length;
    if (length !== null && trailerStart >= magic.length) {
      const entries = format.decodeTrailer(packId, await src.read(trailerStart, length));
      const last = entries?.at(-1);
      if (entries && (!last || last.offset + recordBytes(format, last.storedLength) === trailerStart)) return { entries, sealed: true, size, problems };
      problems.push(entries ? 'trailer does not match the pack length' : 'trailer is damaged');
    } else {
      problems.push('no trailer (pack was not sealed)');
    }
  }

  const entries: PackEntry[] = [];
  let offset = magic.length;
  while (offset + headerBytes <= size) {
    const entry = format.decodeHeader(await src.read(offset, headerBytes), 0);
    if (!entry) break;
    const end = offset + recordBytes(format, entry.storedLength);
    if (end > size) {
      problems.push(`record at offset ${offset} is cut short`);
      break;
    }
    entries.push({ ...entry, offset });
    offset = end;
  }
  return { entries, sealed: false, size, problems };
}
