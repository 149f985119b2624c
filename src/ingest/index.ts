// src/ingest owns storing a source: walking a tree (treeBuilder.ts) with its excludes and
// markers, cutting each file into chunks and adding them to the store (storeFile.ts, or
// standard input: storeStdin.ts), the metadata of each entry, and writing the snapshot
// (ingest.ts).
//
// Invariants: the write order (docs/ARCHITECTURE.md, principle 6): blocks, flush, snapshot
// record, catalog row, so a killed ingest leaves nothing that points at nothing; a file
// unchanged since the previous snapshot (size, mtime, ctime, inode) is not read again.
//
// Must not touch: packs or the index (only BlockStore.add/flush), nor other snapshots.
