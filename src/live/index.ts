// src/live owns the writable mount: the live tree of a host, laid over a snapshot, changed
// through FUSE and committed as snapshots (tag `live`). See docs/LIVE.md.
// Invariants: a change is in the journal before it is answered; file data is in a staging file
// before a write is answered; the staging area is cleared of a change only after the snapshot
// holding it is durable (file and catalog row); blocks stored while the mount runs (closed files,
// backgroundStore.ts) are referred to by nothing before a commit's flush; nothing here blocks on
// a FUSE path.
// Must not touch: packs or the index (blocks go in through the store's front door, BlockStore.add
// and flush, as ingest stores them), or any snapshot but by adding one.
export { mountWritable } from './mountWritable.js';
export type { WritableMount, WritableMountOptions } from './mountWritable.js';
export { requestCommit } from './controlSocket.js';
export { LIVE_TAG } from './commitLiveTree.js';
export { commitLeftovers } from './commitLeftovers.js';
export type { LeftoverCommit } from './commitLeftovers.js';
