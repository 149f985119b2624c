// `dedupfs ingest`: stores source trees as one snapshot. The order of writes is the crash
// story (docs/ARCHITECTURE.md, principle 6): all blocks are added, then flushed (packs sealed and fsynced,
// index updated), then the snapshot file is written, then the catalog row. A killed ingest leaves
// only blocks that nothing refers to, and every earlier snapshot is untouched.
//
// The snapshot root: one source folder is the root itself (so `latest:/etc` is its etc/);
// several sources, or a source that is not a folder, become entries of a root folder, each named
// by its base name. Standard input (--stdin) is one file of the root, recorded as the path
// /NAME.
//
// Interrupted work is kept: before it walks, an ingest seals and indexes what a killed ingest
// left in packs/tmp (recoverUnsealedPacks.ts); when `signal` aborts (SIGINT, SIGTERM), the walk
// stops, everything stored so far is flushed like at the end of a run (sealed, fsynced, indexed),
// no snapshot is written, and an INTERRUPTED (TERMINATED for SIGTERM) error says what was kept.
// Either way the next ingest finds those blocks in the index and does not store them again.
import { lstat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { basename, resolve } from 'node:path';
import type { BigIntStats } from 'node:fs';
import { Chunker } from '../chunker/index.js';
import { addressToHex, addressFromHex } from '../core/address.js';
import { DedupfsError, ioError } from '../core/errors.js';
import { formatBytes } from '../core/size.js';
import type { Reporter } from '../core/reporter.js';
import { snapshotId, type Snapshot } from '../catalog/snapshotRecord.js';
import { listLocks } from '../repo/lock.js';
import type { Repository } from '../repo/repository.js';
import { StoreMaintenance, loadBlocksToHeal, saveBlocksToHeal, type RecoverUnsealedResult } from '../store/index.js';
import type { TreeEntry } from '../tree/entry.js';
import { decodeTree } from '../tree/treeCodec.js';
import { Excludes } from '../core/excludes.js';
import { FolderMarkers } from './folderMarkers.js';
import { OwnerNames } from './ownerNames.js';
import { checkStdinName, storeStdin, type StdinSource } from './storeStdin.js';
import { HostTrees } from './hostTrees.js';
import { TreeBuilder } from './treeBuilder.js';

export interface IngestOptions {
  paths: string[];
  tags?: string[];
  host?: string;
  excludes?: string[];
  excludeFiles?: string[];
  /** skip the contents of folders holding a valid CACHEDIR.TAG (the tag itself is kept) */
  excludeCaches?: boolean;
  /** skip the contents of folders holding a file of one of these names (the file itself is kept) */
  excludeIfPresent?: string[];
  oneFileSystem?: boolean;
  /** store this stream as the one file of the snapshot (then `paths` must be empty) */
  stdin?: StdinSource;
  /** stops the ingest; what was stored is kept (abort with 'SIGTERM' for exit status 143) */
  signal?: AbortSignal;
  /** walk and chunk, but write nothing: no blocks, no snapshot */
  dryRun?: boolean;
  /** time to record (defaults to now) */
  time?: Date;
  reporter?: Reporter;
}

export interface IngestResult {
  snapshot: Snapshot;
  dryRun: boolean;
  parent?: string;
  /** what an earlier, killed ingest had stored and this one sealed and indexed */
  recovered?: RecoverUnsealedResult;
}

/** Checks that every source exists, before anything is written. */
export async function statSources(paths: string[]): Promise<Array<{ path: string; st: BigIntStats }>> {
  if (!paths.length) throw new DedupfsError('USAGE', 'ingest needs at least one PATH');
  const out = [];
  for (const p of paths) {
    const path = resolve(p);
    try {
      out.push({ path, st: await lstat(path, { bigint: true }) });
    } catch (err) {
      throw ioError(err, 'cannot ingest', path);
    }
  }
  const names = new Set<string>();
  if (out.length > 1) {
    for (const { path } of out) {
      const name = basename(path);
      if (names.has(name)) throw new DedupfsError('USAGE', `two sources are both named '${name}'; ingest them as separate snapshots`);
      names.add(name);
    }
  }
  return out;
}

export async function ingest(repo: Repository, opts: IngestOptions): Promise<IngestResult> {
  if (opts.stdin && opts.paths.length) throw new DedupfsError('USAGE', '--stdin stores standard input alone; give no PATH with it');
  if (opts.stdin) checkStdinName(opts.stdin.name);
  const sources = opts.stdin ? [] : await statSources(opts.paths);
  const recovered = opts.dryRun ? undefined : await recoverInterrupted(repo);
  const addedBefore = { ...repo.store.added };
  const addedNow = () => ({
    blocks: repo.store.added.blocks - addedBefore.blocks,
    rawBytes: repo.store.added.rawBytes - addedBefore.rawBytes,
    storedBytes: repo.store.added.storedBytes - addedBefore.storedBytes,
  });
  const reporter = opts.reporter ?? {};
  const host = opts.host ?? hostname();
  const time = opts.time ?? new Date();
  const paths = opts.stdin ? [`/${opts.stdin.name}`] : sources.map((s) => s.path);
  const hostTrees = opts.dryRun ? undefined : await HostTrees.open(repo, paths);
  const parent = findParent(repo, host, paths, hostTrees);
  reporter.start?.({ bytes: parent?.bytes }); // the previous snapshot's size estimates this one's
  const excludes = await Excludes.withFiles(opts.excludes ?? [], opts.excludeFiles ?? []);
  const owners = new OwnerNames();
  // Blocks the last check found lost (usually none): files that need them are read again.
  const listedToHeal = opts.dryRun ? new Set<string>() : await loadBlocksToHeal(repo.layout);
  const stillLost = (hex: string) => !repo.store.has(addressFromHex(hex));
  const toHeal = new Set([...listedToHeal].filter(stillLost));
  const builder = new TreeBuilder({
    store: repo.store, chunker: new Chunker(repo.chunker), excludes, owners, oneFileSystem: !!opts.oneFileSystem, reporter,
    markers: new FolderMarkers({ caches: opts.excludeCaches, names: opts.excludeIfPresent }), signal: opts.signal, toHeal, hostTrees,
  });
  const parentRoot = parent ? addressFromHex(parent.root) : undefined;

  let root;
  try {
    if (opts.stdin) {
      const entry = await storeStdin(opts.stdin, { store: repo.store, chunker: new Chunker(repo.chunker), reporter, signal: opts.signal, owners, time, status: parent ? 'changed' : 'new' });
      builder.totals.files++;
      builder.totals.bytes += entry.size;
      root = builder.storeTree([entry]);
    } else if (sources.length === 1 && sources[0].st.isDirectory()) {
      root = await builder.storeDirectory(Buffer.from(sources[0].path), sources[0].st, parentRoot);
    } else {
      const previous = new Map<string, TreeEntry>();
      if (parentRoot) for (const e of decodeTree(await (hostTrees ?? repo.store).get(parentRoot))) previous.set(e.name.toString('latin1'), e);
      const entries: TreeEntry[] = [];
      for (const { path } of sources) {
        const name = Buffer.from(basename(path));
        const e = await builder.storeEntry(Buffer.from(path), name, null, previous.get(name.toString('latin1')));
        if (e) entries.push(e);
      }
      root = builder.storeTree(entries);
    }
  } catch (err) {
    if (!opts.signal?.aborted) throw err;
    throw await keepInterrupted(repo, opts.signal, addedNow, !!opts.dryRun);
  }

  const t = builder.totals;
  const fields: Omit<Snapshot, 'id'> = {
    time: time.toISOString(), host, user: userInfo().username, paths, tags: [...new Set(opts.tags ?? [])].sort(),
    root: addressToHex(root), parent: parent?.id, files: t.files, dirs: t.dirs, bytes: t.bytes,
    added: addedNow(), partial: t.warnings > 0, warnings: t.warnings,
  };
  if (sources.length === 1 && sources[0].st.isDirectory()) {
    const st = sources[0].st;
    fields.rootMeta = { mode: Number(st.mode), uid: Number(st.uid), gid: Number(st.gid), mtime: st.mtimeNs.toString(), atime: st.atimeNs.toString() };
  }
  if (opts.dryRun) {
    // The store was opened with dryRun: it compressed and counted new blocks, and wrote none.
    await repo.store.flush();
    return { snapshot: { id: '(dry run)', ...fields, added: addedNow() }, dryRun: true, parent: parent?.id };
  }
  await repo.store.flush();
  fields.added = addedNow();
  const snapshot: Snapshot = { id: snapshotId(fields), ...fields };
  await repo.snapshotFiles.write(snapshot);
  repo.catalog.insert(snapshot);
  await hostTrees?.save();
  if (listedToHeal.size) await saveBlocksToHeal(repo.layout, [...toHeal].filter(stillLost));
  return { snapshot, dryRun: false, parent: parent?.id, recovered };
}

/** Seals and indexes what killed ingests left in packs/tmp (not those of live processes). */
async function recoverInterrupted(repo: Repository): Promise<RecoverUnsealedResult | undefined> {
  const owner = repo.store.owner;
  if (!owner) return undefined;
  return new StoreMaintenance(repo.store).recoverUnsealed(owner,
    async () => new Set((await listLocks(repo.dir)).filter((l) => !l.stale).map((l) => basename(l.path, '.lock'))));
}

/** After a signal: flushes what was stored (durable and indexed, no snapshot) and says what was kept. */
async function keepInterrupted(repo: Repository, signal: AbortSignal, added: () => Snapshot['added'], dryRun: boolean): Promise<DedupfsError> {
  if (!dryRun) await repo.store.flush();
  const kept = added();
  const code = signal.reason === 'SIGTERM' ? 'TERMINATED' : 'INTERRUPTED';
  const what = dryRun ? 'nothing written (dry run)' : `${formatBytes(kept.rawBytes)} in ${kept.blocks.toLocaleString('en-US')} blocks kept; run the same ingest again to continue`;
  return new DedupfsError(code, `interrupted: ${what}`, { data: { kept } });
}

/**
 * The newest snapshot of the same host and source paths, whose files need not be read again.
 * A write-only key cannot read trees: for it, only this host's last snapshot of the paths, whose
 * trees the host kept (hostTrees.ts); without those every file is read, and only new blocks stored.
 */
function findParent(repo: Repository, host: string, paths: string[], hostTrees: HostTrees | undefined): Snapshot | undefined {
  const key = JSON.stringify([...paths].sort());
  const parent = repo.catalog.list({ host }).reverse().find((s) => JSON.stringify([...s.paths].sort()) === key);
  if (repo.keys?.material.kind !== 'write-only') return parent;
  return parent && hostTrees?.has(parent.root) ? parent : undefined;
}
