// src/lifecycle owns living with a repository over the years: forgetting snapshots by policy,
// freeing the space of blocks no snapshot needs (gc), proving what is there is intact (check)
// and rebuilding what can be rebuilt (repair). It works on an open Repository (repair opens its
// own, after resetting the catalog) and never prints: results are plain objects, progress goes
// through a Reporter.
// Invariants: a sealed pack is never modified, only deleted whole, and only after every block a
// snapshot needs from it is named by the index somewhere else, durably; gc and repair run under
// the exclusive lock; check reports findings and never throws on damage (it only takes copies
// that fail their check out of the index); repair never removes a snapshot because some of its
// files are damaged, and neither changes anything when the configuration, not the data, is
// suspect.
// Must not touch: packs (files or objects), record headers or the LMDB index. It asks the store
// through StoreMaintenance (src/store/maintenance.ts) and keeps only the policy: what is live,
// what goes, what is damage and what is reported.
export { forget, parseGroupBy, describeGroup } from './forget.js';
export type { ForgetOptions, ForgetReport, ForgetGroup, ForgetItem } from './forget.js';
export { gc, parseMaxUnused, DEFAULT_MAX_UNUSED } from './gc.js';
export type { GcOptions, GcReport } from './gc.js';
export type { GcResult } from './gcExecute.js';
export { check } from './check.js';
export type { CheckOptions, CheckReport, DamagedBlock, DependentSnapshot } from './check.js';
export { parseReadDataSubset } from './readDataSubset.js';
export type { ReadDataSubset } from './readDataSubset.js';
export { repair } from './repair.js';
export type { RepairOptions, RepairReport, DamagedSnapshot } from './repair.js';
export type { RewrittenSnapshot } from './rewriteSnapshot.js';
export type { SnapshotFileProblem } from './checkSnapshotFiles.js';
export { unlock } from './unlock.js';
export { copySnapshots } from './copySnapshots.js';
export type { CopyMode, CopyOptions, CopyReport, CopiedSnapshot } from './copySnapshots.js';
export { applyRetention, isEmptyPolicy } from './retention.js';
export type { RetentionPolicy, GroupBy } from './retention.js';
