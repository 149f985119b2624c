// `dedupfs check`: is everything the snapshots need there and intact? Findings, not exceptions:
// the check goes on past every problem and reports them all.
//   1. packs agree with their own trailers, and every index entry names a real record
//      (src/store/checkPacks.ts);
//   2. with readData, every block of every pack (or of a subset of packs) is read, decompressed
//      and re-hashed (src/store/verifyPack.ts);
//   3. every snapshot's trees are read (each read is checked against its hash) and every block
//      they name is judged: missing from the index, named by a bad index entry, or found damaged
//      in step 2; each damaged block is reported with the snapshots and paths that need it
//      (findDamage.ts).
//   4. every snapshot file is read itself and must hash to its id (checkSnapshotFiles.ts), and
//      every tree's names must be safe and unique (findDamage.ts).
// With readData, a copy that fails its check and that the index names is marked bad: its index
// entry is removed and it joins bad-copies.json, so the next ingest of a source that still holds
// the block stores it again and every snapshot that needs it is whole again. When nearly every
// block fails (of those read, or without readData of a small probe), config.json is suspected
// instead (suspectConfig.ts) and nothing is marked.
// Errors: pack problems, bad index entries, damaged or missing blocks that a snapshot needs or
// the index names, unsound snapshot files, unsafe names, a suspected config. Notes only: blocks no snapshot needs, blocks the index does not name,
// unsealed packs, and damaged copies the index does not use; gc clears all of these.
// A shared lock suffices: an ingest running meanwhile only adds packs and snapshots.
import { addressFromHex } from '../core/address.js';
import type { Reporter } from '../core/reporter.js';
import type { Repository } from '../repo/repository.js';
import { StoreMaintenance, saveBlocksToHeal, type BadCopies, type BlockFailure, type IndexProblem, type PackProblem } from '../store/index.js';
import { escapeName } from '../tree/nameEscape.js';
import { checkSnapshotFiles, type SnapshotFileProblem } from './checkSnapshotFiles.js';
import { findDamage, type DamageMap } from './findDamage.js';
import { configSuspicion, probeConfig } from './suspectConfig.js';
import { formatReadDataSubset, selectSubset, type ReadDataSubset } from './readDataSubset.js';

export interface CheckOptions {
  /** read and re-hash every block (or those of `subset`) */
  readData?: boolean;
  subset?: ReadDataSubset;
  reporter?: Reporter;
}

export interface DependentSnapshot { id: string; time: string; paths: string[] }

export interface DamagedBlock {
  address: string;
  /** where the index (or, for a damaged spare copy, the pack) has it */
  pack?: string;
  offset?: number;
  reason: string;
  /** the snapshots that need the block, with the paths in them that do (sorted; names escaped as ls shows them) */
  snapshots: DependentSnapshot[];
}

export interface CheckReport {
  ok: boolean;
  snapshots: number;
  packs: number;
  indexEntries: number;
  referencedBlocks: number;
  readData?: { subset?: string; packs: number; blocks: number; bytes: number };
  packProblems: PackProblem[];
  indexProblems: IndexProblem[];
  damagedBlocks: DamagedBlock[];
  /** ids of the snapshots that need a damaged block */
  damagedSnapshots: string[];
  /** blocks packs hold that the index does not name (harmless unless a snapshot needs one) */
  unindexedBlocks: number;
  /** index entries no snapshot needs (gc reclaims them) */
  unreferencedBlocks: number;
  /** packs/tmp leftovers (gc removes them) */
  unsealedPacks: number;
  /** damaged copies of blocks that the index does not name (gc drops them) */
  damagedSpares: number;
  /** files in packs/ that are not packs */
  strays: string[];
  /** snapshot files cut short, unreadable, or changed since they were written */
  snapshotFiles: SnapshotFileProblem[];
  /** names in trees that are unsafe ('..', '.', empty, holding '/' or NUL) or repeated */
  unsafeNames: DamageMap['unsafeNames'];
  /** damaged copies taken out of the index by this check (readData), so the next ingest stores them again */
  markedBad: number;
  /** why the damaged copies could not be taken out of the index (a repository that cannot be written) */
  markError?: string;
  /** set when nearly every block read failed: config.json is suspected and nothing was marked */
  configSuspect?: string;
}

/**
 * Checks the repository's structure, and with readData its contents.
 * @example const report = await check(repo, { readData: true }); if (!report.ok) process.exitCode = 1;
 */
export async function check(repo: Repository, opts: CheckOptions = {}): Promise<CheckReport> {
  const store = new StoreMaintenance(repo.store);
  const reporter = opts.reporter ?? {};
  const knownBad = await store.loadBadCopies();
  const packs = await store.checkPacks(knownBad, reporter);
  const badEntries = new Map(packs.indexProblems.map((p) => [p.address, p.problem]));

  const failures: Array<BlockFailure & { pack: string }> = [];
  let readData: CheckReport['readData'];
  if (opts.readData) {
    const chosen = opts.subset ? selectSubset(packs.packs.map((p) => p.packId), opts.subset) : undefined;
    const toRead = packs.packs.filter((p) => !chosen || chosen.has(p.packId));
    readData = { subset: opts.subset && formatReadDataSubset(opts.subset), packs: toRead.length, blocks: 0, bytes: 0 };
    reporter.start?.({ files: toRead.length, bytes: toRead.reduce((n, p) => n + p.size, 0) });
    for (const pack of toRead) {
      reporter.item?.(`pack ${pack.packId}`);
      for (const f of await store.verifyPack(pack.packId, pack.entries, (n) => reporter.bytes?.(n))) failures.push({ ...f, pack: pack.packId });
      readData.blocks += pack.entries.length;
      readData.bytes += pack.size;
      reporter.fileDone?.();
    }
  }
  const badCopies = new Map(failures.map((f) => [`${f.pack}:${f.entry.offset}`, f.reason]));

  const judge = (hex: string): string | undefined => {
    const loc = store.located(addressFromHex(hex));
    if (!loc) {
      const holder = packs.unindexed.get(hex);
      return holder ? `missing from the index (pack ${holder} holds it; 'dedupfs repair' rebuilds the index)` : 'missing: no intact copy is stored';
    }
    return badEntries.get(hex) ?? badCopies.get(`${loc.packId}:${loc.offset}`);
  };
  const snapshots = repo.catalog.list();
  await repo.snapshotFiles.reread();
  const snapshotFiles = await checkSnapshotFiles(repo.snapshotFiles.dir, repo.catalog.seal);
  const damage = await findDamage(repo.store, snapshots, judge, reporter);

  const blocks = new Map<string, DamagedBlock>();
  for (const snap of snapshots) {
    const byBlock = new Map<string, Set<string>>();
    for (const ref of damage.snapshots.get(snap.id) ?? []) {
      const paths = byBlock.get(ref.address) ?? new Set<string>();
      paths.add(ref.path.length ? escapeName(ref.path) : '/');
      byBlock.set(ref.address, paths);
    }
    for (const [hex, paths] of byBlock) {
      let block = blocks.get(hex);
      if (!block) {
        const loc = store.located(addressFromHex(hex));
        block = { address: hex, pack: loc?.packId, offset: loc?.offset, reason: damage.reasons.get(hex) ?? judge(hex) ?? 'damaged', snapshots: [] };
        blocks.set(hex, block);
      }
      block.snapshots.push({ id: snap.id, time: snap.time, paths: [...paths].sort() });
    }
  }
  // Damaged copies no snapshot needs: an error while the index names them (an ingest would
  // take them for stored), a note when it does not (spare copies gc drops).
  let damagedSpares = 0;
  for (const f of failures) {
    const hex = f.entry.address.toString('hex');
    if (blocks.has(hex)) continue;
    const loc = store.located(f.entry.address);
    if (loc?.packId === f.pack && loc.offset === f.entry.offset) {
      blocks.set(hex, { address: hex, pack: f.pack, offset: f.entry.offset, reason: f.reason, snapshots: [] });
    } else {
      damagedSpares++;
    }
  }

  let unreferencedBlocks = 0;
  for (const [address] of store.indexEntries()) if (!damage.referenced.has(address.toString('hex'))) unreferencedBlocks++;
  const damagedBlocks = [...blocks.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const probe = readData ? { failed: failures.length, read: readData.blocks } : await probeConfig(store);
  const configSuspect = configSuspicion(repo.config, probe.failed, probe.read);
  // A repository that cannot be written (read-only, full) is still checked; it only stays unmarked.
  let markedBad = 0;
  let markError: string | undefined;
  if (!configSuspect) {
    try {
      markedBad = await markBad(store, knownBad, failures);
      // What snapshots need and the index no longer names: ingest reads such files again.
      await saveBlocksToHeal(repo.layout, damagedBlocks.filter((b) => b.snapshots.length && !store.located(addressFromHex(b.address))).map((b) => b.address));
    } catch (err) {
      markError = (err as Error).message;
    }
  }
  return {
    ok: !packs.packProblems.length && !packs.indexProblems.length && !damagedBlocks.length && !snapshotFiles.length
      && !damage.unsafeNames.length && !configSuspect,
    snapshots: snapshots.length, packs: packs.packs.length, indexEntries: packs.indexEntries, referencedBlocks: damage.referenced.size,
    readData, packProblems: packs.packProblems, indexProblems: packs.indexProblems, damagedBlocks,
    damagedSnapshots: snapshots.filter((s) => damage.snapshots.get(s.id)?.length).map((s) => s.id),
    unindexedBlocks: packs.unindexed.size, unreferencedBlocks, unsealedPacks: packs.unsealed.length, damagedSpares, strays: packs.strays,
    snapshotFiles, unsafeNames: damage.unsafeNames, markedBad, markError, configSuspect,
  };
}

// Takes the failed copies the index names out of it and lists them as bad; returns how many.
async function markBad(store: StoreMaintenance, badCopies: BadCopies, failures: Array<BlockFailure & { pack: string }>): Promise<number> {
  let n = 0;
  for (const f of failures) {
    const loc = store.located(f.entry.address);
    badCopies.add({ address: f.entry.address.toString('hex'), pack: f.pack, offset: f.entry.offset, reason: f.reason });
    if (loc?.packId !== f.pack || loc.offset !== f.entry.offset) continue;
    await store.unindex(f.pack, [f.entry.address]);
    n++;
  }
  if (failures.length) {
    await store.flushIndex();
    await badCopies.save();
  }
  return n;
}
