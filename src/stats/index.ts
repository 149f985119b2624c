// src/stats owns `dedupfs stats`: what a repository holds (snapshots, files, chunks, packs) and
// what it costs (logical, unique and stored bytes, and their ratios), and what one snapshot alone
// holds (gc's mark phase, src/lifecycle/markReachable.ts).
//
// Invariants: read-only.
//
// Must not touch: packs or the index beyond what StoreMaintenance lists.
