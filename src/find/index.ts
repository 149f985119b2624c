// src/find owns `dedupfs find`: which snapshots hold an entry whose name (or path) matches a
// pattern, in the syntax of --exclude (src/core/excludes.ts).
//
// Invariants: read-only; a folder that several snapshots hold at the same path is searched once.
//
// Must not touch: anything but reading the catalog and trees.
