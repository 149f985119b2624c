// Stores a staged file that still reads some of its bytes from its stored chunks (lowerFile.ts)
// at a commit: the stored chunks it never wrote to are kept by reference, and only the runs of
// bytes between them (chunks written to, a chunk cut by a truncate, what was appended) are read
// and chunked again with the repository's FastCDC parameters. A 1-byte write into a 4 GB file
// costs one chunk at the commit, not 4 GB.
//
// Each run starts at a cut point of the stored file, so the chunker finds the cuts ingest would
// find there; a run ends where the next kept chunk starts, which ingest of the whole file may
// not have cut at (a few bytes before it then dedupe less).
import type { FileHandle } from 'node:fs/promises';
import type { Chunker } from '../chunker/index.js';
import { chunkStream } from '../chunker/index.js';
import type { StoredFile } from '../ingest/storeFile.js';
import type { BlockStore } from '../store/index.js';
import { BlockType } from '../core/blocks.js';
import { ChunkListWriter } from '../tree/chunkList.js';
import type { LowerFile } from './lowerFile.js';

/** Bytes read from the staging file at once while a run is chunked. */
const READ_SIZE = 1 << 20;

/** Copies the bytes of [start, end) of the file into `into` (stored chunks from `store`). */
export async function readLayered(lower: LowerFile, staging: (into: Buffer, pos: number) => Promise<void>,
  stored: (chunk: number) => Promise<Buffer>, into: Buffer, start: number): Promise<void> {
  for (const s of lower.segments(start, start + into.length)) {
    const part = into.subarray(s.start - start, s.end - start);
    if (s.chunk < 0) await staging(part, s.start);
    else (await stored(s.chunk)).copy(part, 0, s.start - lower.table.offsets[s.chunk]);
  }
}

export async function storeLayered(file: FileHandle, size: number, lower: LowerFile, store: BlockStore, chunker: Chunker): Promise<StoredFile> {
  const { table } = lower;
  const list = new ChunkListWriter(store);
  const staging = async (into: Buffer, pos: number) => {
    const { bytesRead } = await file.read(into, 0, into.length, pos);
    into.fill(0, bytesRead); // past the staging file's end: the file was cut there
  };
  const stored = (k: number) => store.get(table.address(k));
  async function* run(start: number, end: number): AsyncGenerator<Buffer> {
    for (let at = start; at < end; at += READ_SIZE) {
      const piece = Buffer.allocUnsafe(Math.min(READ_SIZE, end - at));
      await readLayered(lower, staging, stored, piece, at);
      yield piece;
    }
  }
  for (let at = 0; at < size;) {
    const k = table.find(at);
    if (table.offsets[k] === at && lower.kept(k) && table.offsets[k + 1] <= size) {
      list.push({ address: table.address(k), length: table.length(k) });
      at = table.offsets[k + 1];
      continue;
    }
    let next = k + 1;
    while (next < table.count && !(lower.kept(next) && table.offsets[next + 1] <= size)) next++;
    const end = next < table.count ? table.offsets[next] : size;
    for await (const chunk of chunkStream(run(at, end), chunker)) {
      list.push({ address: store.add(BlockType.Data, chunk.data).address, length: chunk.length });
      await store.waitForRoom();
    }
    at = end;
  }
  return { content: list.finish(), xattrs: [], size, changed: false };
}
