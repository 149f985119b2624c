// What the chunker hands out. Offsets count from the start of the input; chunks are contiguous
// and cover every byte, and an empty input has none.

export interface Chunk {
  /** Byte offset of the chunk in the input. */
  offset: number;
  /** Length in bytes (1..max; below min only for the last chunk). */
  length: number;
  /** The 64-bit gear hash at the cut (0 when the chunk was too short to hash), as fastcdc-rs reports it. */
  hash: bigint;
}

export interface StreamedChunk extends Chunk {
  /** The chunk's bytes, owned by the caller: nothing the chunker does later changes them. */
  data: Buffer;
}
