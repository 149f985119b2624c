// src/diff owns `dedupfs diff`: the changes between two snapshots, or the same path in both,
// entry by entry in name order (diffTrees.ts), and their totals (diffSummary.ts).
//
// Invariants: read-only; subtrees with the same address are equal and never read.
//
// Must not touch: anything but reading the catalog and trees.
