// `dedupfs gc`: plan (gcPlan.ts), then, unless it is a dry run, execute (gcExecute.ts). The
// caller holds the repository's exclusive lock, so no ingest adds blocks while packs go. With
// rewriteAll (an encrypted repository, after `key rotate`), every kept block is copied and sealed
// again under the newest key generation, and then every snapshot file is written again (each
// replaced atomically), so nothing stays sealed under an older generation a revoked key holds.
// A kill in between leaves some of each; the next gc --rewrite-all does the rest.
import { DedupfsError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import type { Repository } from '../repo/repository.js';
import { executeGc, type GcResult } from './gcExecute.js';
import { planGc } from './gcPlan.js';

export interface GcOptions {
  /** share (0..1) of dead record bytes above which a pack is rewritten; default 0.05 */
  maxUnused?: number;
  dryRun?: boolean;
  /** re-seal every block and snapshot record under the newest key generation (an encrypted repository) */
  rewriteAll?: boolean;
  reporter?: Reporter;
}

/** What the plan found; `result` is what was done (absent on a dry run). */
export interface GcReport {
  dryRun: boolean;
  snapshots: number;
  reachableBlocks: number;
  packs: number;
  packBytes: number;
  liveBytes: number;
  deadBytes: number;
  deletePacks: number;
  rewritePacks: number;
  /** bytes of kept blocks copied out of rewritten packs */
  copyBytes: number;
  /** kept copies the index did not name */
  reindexed: number;
  staleIndexEntries: number;
  unsealed: number;
  missing: number;
  result?: GcResult;
}

export const DEFAULT_MAX_UNUSED = 0.05;

/**
 * Deletes the packs no snapshot needs and rewrites those mostly dead.
 * @throws DedupfsError REPO_DAMAGED when a snapshot's trees cannot be read or blocks it refers
 *   to are missing (only a dry run reports those instead).
 * @example const report = await gc(repo, { maxUnused: 0.1 }); console.log(report.result?.freedBytes);
 */
export async function gc(repo: Repository, opts: GcOptions = {}): Promise<GcReport> {
  if (opts.rewriteAll && !repo.keys) {
    throw new DedupfsError('USAGE', `gc --rewrite-all seals every block again under the newest key; repository ${repo.dir} is not encrypted`);
  }
  const plan = await planGc(repo, { maxUnused: opts.maxUnused ?? DEFAULT_MAX_UNUSED, rewriteAll: opts.rewriteAll, reporter: opts.reporter });
  const report: GcReport = {
    dryRun: !!opts.dryRun, snapshots: plan.snapshots, reachableBlocks: plan.reachableBlocks,
    packs: plan.packs.length, packBytes: plan.bytes.packs, liveBytes: plan.bytes.live, deadBytes: plan.bytes.dead,
    deletePacks: plan.deletePacks.length, rewritePacks: plan.rewritePacks.length, copyBytes: plan.bytes.copy,
    reindexed: plan.reindex.length, staleIndexEntries: plan.staleIndexEntries, unsealed: plan.unsealed.length, missing: plan.missing.length,
  };
  if (!opts.dryRun) report.result = await executeGc(repo, plan, { reporter: opts.reporter, reseal: opts.rewriteAll });
  if (!opts.dryRun && opts.rewriteAll) {
    for (const snap of repo.catalog.list()) await repo.snapshotFiles.write(snap);
  }
  return report;
}

/** Parses --max-unused: a percentage of a pack's record bytes ('5%', '12.5%'), or 'unlimited' (only wholly dead packs go). */
export function parseMaxUnused(text: string): number {
  if (text === 'unlimited') return Infinity;
  const m = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (!m || Number(m[1]) > 100) throw new DedupfsError('USAGE', `invalid --max-unused '${text}' (use a percentage such as 5% or 12.5%, or unlimited)`);
  return Number(m[1]) / 100;
}
