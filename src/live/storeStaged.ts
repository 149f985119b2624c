// Stores the content of one staged file of a writable mount as blocks, the way ingest stores a
// file: chunked with the repository's FastCDC parameters, each chunk added to the store
// (deduplicated against every block there is). Used by a commit (commitLiveTree.ts) and, while
// the mount runs, by the storing of closed files (backgroundStore.ts). The content comes from
// where it lives: a held file's bytes in memory (heldFiles.ts), a staging file laid over stored
// chunks (storeLayered.ts), or a whole staging file.
import { open, stat } from 'node:fs/promises';
import type { Chunker } from '../chunker/index.js';
import { storeChunk, storeFile, type StoredFile } from '../ingest/storeFile.js';
import type { BlockStore } from '../store/index.js';
import { ChunkListWriter } from '../tree/chunkList.js';
import type { LiveNode } from './liveTree.js';
import { stagingFile, type StagingArea } from './stagingArea.js';
import { storeLayered } from './storeLayered.js';

export interface StagedContext {
  store: BlockStore;
  chunker: Chunker;
  area: StagingArea;
}

/** Stores the bytes of a held file (`content`), or else those of `node`'s staging file. */
export async function storeStaged(ctx: StagedContext, node: LiveNode, content: Buffer | undefined): Promise<StoredFile> {
  const { store, chunker } = ctx;
  if (content) {
    const list = new ChunkListWriter(store);
    for (const c of chunker.chunkBuffer(content)) storeChunk({ store, chunker, reporter: {} }, list, content.subarray(c.offset, c.offset + c.length));
    await store.waitForRoom();
    return { content: list.finish(), xattrs: [], size: content.length, changed: false };
  }
  const file = Buffer.from(stagingFile(ctx.area, node.staging ?? 0));
  if (!node.lower) return storeFile(file, await stat(file, { bigint: true }), { store, chunker, reporter: {} });
  const fh = await open(file, 'r');
  try {
    return await storeLayered(fh, (await fh.stat()).size, node.lower, store, chunker);
  } finally {
    await fh.close();
  }
}
