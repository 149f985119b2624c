// src/store: the block store. Blocks go in by content (add returns the address) and come back
// checked against their address (get); underneath, blocks are gathered into packs, and an LMDB
// index says where each one lies.
//
// Owns: pack files and objects and their byte layout (pack/), the block index (index/ and, for
// buckets, indexObjects.ts), compression and the sealing of blocks on the worker threads, the
// list of copies known to be bad and of blocks to heal, and every operation on packs that
// maintenance needs (maintenance.ts: list packs with their entries, copy live blocks into new
// packs, verify a pack, drop packs, rebuild the index, salvage, take over unsealed leftovers).
//
// Invariants (docs/ARCHITECTURE.md, the write order): a pack is sealed (complete, fsynced, or
// uploaded whole) before the index names any block in it; a sealed pack is never changed, only
// deleted whole, and only once every block anything needs from it is named elsewhere; the index
// can always be rebuilt from the packs alone (each pack lists its own entries).
//
// Must not touch: snapshots, trees, the catalog, locks or policy (what is live, what to delete,
// what to report: src/lifecycle decides, and asks through StoreMaintenance). Imports only
// src/core, src/crypto and src/backend. Nothing above the store reads a pack, a record header or
// the index directly: it goes through BlockStore (blocks) or StoreMaintenance (packs).
export { BlockStore, type BlockStoreOptions, type BlockSealing, type AddedTotals } from './blockStore.js';
export { StoreMaintenance, folderBadCopies, rebuildIndexAside } from './maintenance.js';
export type { PackCopier } from './packCopier.js';
export { BadCopies, type BadCopy } from './badCopies.js';
export { loadBlocksToHeal, saveBlocksToHeal } from './blocksToHeal.js';
export { blockProblem, type BlockFailure } from './verifyPack.js';
export type { PackCheck, PackProblem, IndexProblem } from './checkPacks.js';
export type { RebuildIndexResult } from './rebuildIndex.js';
export type { RecoverUnsealedResult } from './recoverUnsealedPacks.js';
export type { SalvageResult } from './salvagePack.js';
export type { PackFile, PackListing } from './listPacks.js';
export type { BlockLocation } from './index/blockIndex.js';
export type { PackEntry } from './pack/format.js';
