// src/catalog owns snapshots as records: the snapshot record and its id (snapshotRecord.ts;
// sealed in an encrypted repository, sealedSnapshot.ts), where records are written and removed
// in a folder or a bucket (snapshotFiles.ts), the SQLite catalog that answers questions about
// them (catalog.ts), snapshot selectors, and tags.
//
// Invariants: a snapshot record is the source of truth and is written atomically, after the
// blocks it names are durable (docs/ARCHITECTURE.md, principle 6); the catalog can always be
// rebuilt from the records; a record's id is the hash of its bytes.
//
// Must not touch: blocks, packs or the index (a record names a root tree's address and nothing
// more), nor locks. Below src/repo, which opens it.
