// src/tree owns the shape of a snapshot: tree entries and their metadata (entry.ts), the bytes
// of a tree block (treeCodec.ts), a large file's chunk list in list blocks (chunkList.ts), and
// the walks over trees that ingest, restore, the mounts, diff, find and gc share (walkTree,
// walkBlocks, resolvePath, readFileContent, sameEntry), with names shown as text (nameEscape).
//
// Invariants: a tree's bytes depend only on its entries (sorted by name bytes), so equal folders
// are one block; names are bytes, never decoded for storage.
//
// Must not touch: the store, the catalog or a repository. Blocks are reached only through the
// BlockReader/BlockWriter interfaces of src/core/blocks.ts, handed in by the caller.
