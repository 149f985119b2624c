// src/find owns `dedupfs find`: which snapshots hold an entry whose name (or path) matches a
// pattern, in the syntax of --exclude (src/core/excludes.ts).
//
// Invariants: read-only; a tree shared by several snapshots is read once.
//
// Must not touch: anything but reading the catalog and trees.
