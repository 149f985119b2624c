// The chunks of named files with the SHA-256 of each, for inspecting what the chunker does
// with given parameters (`dedupfs chunk`); no repository involved.
import { createHash } from 'node:crypto';
import type { Chunk } from './chunk.js';
import { chunkFile } from './chunkFile.js';
import type { Chunker } from './wasmChunker.js';

export interface ListedChunk extends Chunk {
  /** SHA-256 of the chunk's bytes, lowercase hex. */
  sha256: string;
}

export interface FileChunks {
  file: string;
  chunks: ListedChunk[];
}

/** Chunks each file in turn; the first missing or unreadable file throws a DedupfsError naming it. */
export async function listChunks(files: string[], chunker: Chunker): Promise<FileChunks[]> {
  const listed: FileChunks[] = [];
  for (const file of files) {
    const chunks: ListedChunk[] = [];
    for await (const { offset, length, hash, data } of chunkFile(file, chunker)) {
      chunks.push({ offset, length, hash, sha256: createHash('sha256').update(data).digest('hex') });
    }
    listed.push({ file, chunks });
  }
  return listed;
}
