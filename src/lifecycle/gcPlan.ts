// The plan half of gc (restic's prune: plan, then execute; a dry run prints the plan). It marks
// every block the snapshots reach, then judges each pack by its own entries (its trailer, or its
// headers when the trailer is gone), not by the index alone, so blocks the index has lost track
// of are seen too:
// - a reachable block is kept in exactly one place: where the index names it, if a pack really
//   holds it there, else its first copy in pack-id order (and the index is pointed at it);
// - a pack with nothing kept is deleted; a pack whose dead records exceed maxUnused of its
//   record bytes is rewritten (its kept blocks copied to new packs); so is a damaged pack that
//   still holds kept blocks, so the repository heals;
// - a reachable block with no copy anywhere (copies known to be bad, bad-copies.json, do not
//   count) is missing: the plan says so and gc refuses to run.
// Record bytes leave out the pack magic and trailer, so a pack of small live blocks is never
// counted as waste and rewritten forever.
import { addressFromHex } from '../core/address.js';
import type { Reporter } from '../core/reporter.js';
import type { Repository } from '../repo/repository.js';
import { StoreMaintenance, type PackEntry, type PackFile } from '../store/index.js';
import { markReachable } from './markReachable.js';

export interface GcPlanOptions {
  /** a pack is rewritten when more than this share (0..1) of its record bytes is dead */
  maxUnused: number;
  /** rewrite every pack that holds a kept block (gc --rewrite-all) */
  rewriteAll?: boolean;
  reporter?: Reporter;
}

export interface PackUsage extends PackFile {
  /** the pack's entries, by offset */
  entries: PackEntry[];
  /** the entries gc keeps from this pack */
  live: PackEntry[];
  liveBytes: number;
  deadBytes: number;
  /** what is wrong with the pack itself (cut short, no trailer), if anything */
  problems: string[];
}

export interface GcPlan {
  snapshots: number;
  reachableBlocks: number;
  packs: PackUsage[];
  /** packs holding nothing that is kept */
  deletePacks: PackUsage[];
  /** packs whose kept blocks are copied elsewhere before they are deleted */
  rewritePacks: PackUsage[];
  /** kept copies the index does not name: the index is pointed at them first */
  reindex: Array<{ packId: string; entry: PackEntry }>;
  /** index entries that name a pack that does not exist */
  staleIndexEntries: number;
  /** packs/tmp leftovers of killed writers */
  unsealed: PackFile[];
  /** reachable blocks found in no pack (hex); gc refuses to run while there are any */
  missing: string[];
  bytes: { packs: number; live: number; dead: number; copy: number };
}

const key = (packId: string, offset: number) => `${packId}:${offset}`;

/** Works out what gc would delete and rewrite; changes nothing. */
export async function planGc(repo: Repository, opts: GcPlanOptions): Promise<GcPlan> {
  const snapshots = repo.catalog.list();
  const reachable = await markReachable(repo.store, snapshots, opts.reporter);
  const store = new StoreMaintenance(repo.store);
  const listing = await store.listPacks();
  const badCopies = await store.loadBadCopies();

  // Every copy of every reachable block, from the packs themselves.
  const packs: PackUsage[] = [];
  const copies = new Map<string, Array<{ packId: string; entry: PackEntry }>>();
  for (const file of listing.sealed) {
    const contents = await store.packEntries(file);
    packs.push({ ...file, entries: contents.entries, live: [], liveBytes: 0, deadBytes: 0, problems: contents.problems });
    for (const entry of contents.entries) {
      const hex = entry.address.toString('hex');
      if (!reachable.has(hex) || badCopies.has(file.packId, entry.offset)) continue;
      const list = copies.get(hex);
      if (list) list.push({ packId: file.packId, entry });
      else copies.set(hex, [{ packId: file.packId, entry }]);
    }
  }

  // One kept copy per reachable block.
  const kept = new Set<string>();
  const reindex: GcPlan['reindex'] = [];
  const missing: string[] = [];
  for (const hex of reachable) {
    const found = copies.get(hex);
    if (!found) {
      missing.push(hex);
      continue;
    }
    const loc = store.located(addressFromHex(hex));
    let pick = loc && found.find((c) => c.packId === loc.packId && c.entry.offset === loc.offset);
    if (!pick) {
      pick = found[0];
      reindex.push(pick);
    }
    kept.add(key(pick.packId, pick.entry.offset));
  }

  const plan: GcPlan = {
    snapshots: snapshots.length, reachableBlocks: reachable.size, packs, deletePacks: [], rewritePacks: [], reindex,
    staleIndexEntries: countStaleEntries(store, new Set(packs.map((p) => p.packId))),
    unsealed: listing.unsealed, missing, bytes: { packs: 0, live: 0, dead: 0, copy: 0 },
  };
  for (const pack of packs) {
    pack.live = pack.entries.filter((e) => kept.has(key(pack.packId, e.offset)));
    pack.liveBytes = pack.live.reduce((n, e) => n + store.recordBytes(e), 0);
    pack.deadBytes = pack.entries.reduce((n, e) => n + store.recordBytes(e), 0) - pack.liveBytes;
    plan.bytes.packs += pack.size;
    plan.bytes.live += pack.liveBytes;
    plan.bytes.dead += pack.deadBytes;
    if (pack.live.length === 0) plan.deletePacks.push(pack);
    else if (opts.rewriteAll || pack.problems.length || pack.deadBytes > opts.maxUnused * (pack.liveBytes + pack.deadBytes)) {
      plan.rewritePacks.push(pack);
      plan.bytes.copy += pack.liveBytes;
    }
  }
  return plan;
}

function countStaleEntries(store: StoreMaintenance, packIds: Set<string>): number {
  let n = 0;
  for (const [, loc] of store.indexEntries()) if (!packIds.has(loc.packId)) n++;
  return n;
}
