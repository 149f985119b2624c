// src/chunker owns content-defined chunking: FastCDC 2020 exactly as fastcdc-rs's v2020 module
// cuts (cut points and 64-bit hashes), run in WebAssembly built from wasm/fastcdc.ts. It turns
// bytes (a buffer, an async stream, a file) into contiguous chunks and knows nothing of blocks,
// packs or repositories. Invariants: the same parameters give the same cut points whatever the
// read sizes; streaming memory is bounded by one fill plus `max` bytes; chunk data handed out is
// owned by the caller.
// Must not touch: any area but src/core; it stores nothing and opens no repository.
export type { Chunk, StreamedChunk } from './chunk.js';
export { CHUNKER_LIMITS, DEFAULT_CHUNKER_PARAMS, validateChunkerParams } from './params.js';
export type { ChunkerParams, NormalizationLevel } from './params.js';
export { parseChunkerParams } from './parseChunkerParams.js';
export type { ChunkerOptionsText } from './parseChunkerParams.js';
export { Chunker } from './wasmChunker.js';
export { chunkStream } from './chunkStream.js';
export { chunkFile } from './chunkFile.js';
export type { ChunkFileOptions } from './chunkFile.js';
export { chunkStats } from './chunkStats.js';
export type { ChunkStats } from './chunkStats.js';
export { listChunks } from './listChunks.js';
export type { FileChunks, ListedChunk } from './listChunks.js';
export { gearTable } from './gearTable.js';
