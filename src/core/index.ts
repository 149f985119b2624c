// src/core owns the words every area shares, and nothing else: block addresses and hashing
// (address.ts), block types and the BlockReader/BlockWriter/BlockSource interfaces (blocks.ts),
// errors with their codes (errors.ts, repoWriteError.ts), the paths and owner-only modes of a
// repository (layout.ts, ownerOnly.ts), sizes and durations as users write them, exclude
// patterns (excludes.ts), progress reporting (reporter.ts), durable writes (writeFileDurably.ts,
// fsyncDir.ts), extended attributes, long paths, a concurrency limiter and lazy loading of
// native addons.
//
// Invariants: every module here is a leaf of the dependency graph (docs/ARCHITECTURE.md,
// layer 0) and loads no native addon until it is used (start-up).
//
// Must not touch: any other area. Nothing here knows packs, trees, snapshots or commands; a
// word moves here only when several areas share it.
