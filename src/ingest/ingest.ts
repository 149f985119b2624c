// `dedupfs ingest`: stores source trees as one snapshot. The order of writes is the crash
// story (DESIGN.md, principle 6): all blocks are added, then flushed (packs sealed and fsynced,
// index updated), then the snapshot file is written, then the catalog row. A killed ingest leaves
// only blocks that nothing refers to, and every earlier snapshot is untouched.
//
// The snapshot root: one source folder is the root itself (so `latest:/etc` is its etc/);
// several sources, or a source that is not a folder, become entries of a root folder, each named
// by its base name.
import { lstat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { basename, resolve } from 'node:path';
import type { BigIntStats } from 'node:fs';
import { Chunker } from '../chunker/index.js';
import { addressToHex, addressFromHex } from '../core/address.js';
import { DedupfsError, ioError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { snapshotId, writeSnapshotFile, type Snapshot } from '../catalog/snapshotRecord.js';
import type { Repository } from '../repo/repository.js';
import { BlockType } from '../store/pack/format.js';
import type { TreeEntry } from '../tree/entry.js';
import { decodeTree, encodeTree } from '../tree/treeCodec.js';
import { Excludes } from './excludes.js';
import { OwnerNames } from './ownerNames.js';
import { TreeBuilder } from './treeBuilder.js';

export interface IngestOptions {
  paths: string[];
  tags?: string[];
  host?: string;
  excludes?: string[];
  excludeFiles?: string[];
  oneFileSystem?: boolean;
  /** walk and chunk, but write nothing: no blocks, no snapshot */
  dryRun?: boolean;
  /** time to record (defaults to now) */
  time?: Date;
  reporter?: Reporter;
}

export interface IngestResult { snapshot: Snapshot; dryRun: boolean; parent?: string }

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
  const sources = await statSources(opts.paths);
  const addedBefore = { ...repo.store.added };
  const addedNow = () => ({
    blocks: repo.store.added.blocks - addedBefore.blocks,
    rawBytes: repo.store.added.rawBytes - addedBefore.rawBytes,
    storedBytes: repo.store.added.storedBytes - addedBefore.storedBytes,
  });
  const reporter = opts.reporter ?? {};
  const host = opts.host ?? hostname();
  const paths = sources.map((s) => s.path);
  const parent = findParent(repo, host, paths);
  reporter.start?.({ bytes: parent?.bytes }); // the previous snapshot's size estimates this one's
  const excludes = await Excludes.withFiles(opts.excludes ?? [], opts.excludeFiles ?? []);
  const builder = new TreeBuilder({
    store: repo.store, chunker: new Chunker(repo.chunker), excludes, owners: new OwnerNames(),
    oneFileSystem: !!opts.oneFileSystem, reporter,
  });
  const parentRoot = parent ? addressFromHex(parent.root) : undefined;

  let root;
  if (sources.length === 1 && sources[0].st.isDirectory()) {
    root = await builder.storeDirectory(Buffer.from(sources[0].path), sources[0].st, parentRoot);
  } else {
    const previous = new Map<string, TreeEntry>();
    if (parentRoot) for (const e of decodeTree(await repo.store.get(parentRoot))) previous.set(e.name.toString('latin1'), e);
    const entries: TreeEntry[] = [];
    for (const { path } of sources) {
      const name = Buffer.from(basename(path));
      const e = await builder.storeEntry(Buffer.from(path), name, null, previous.get(name.toString('latin1')));
      if (e) entries.push(e);
    }
    root = repo.store.add(BlockType.Tree, encodeTree(entries)).address;
  }

  const t = builder.totals;
  const fields: Omit<Snapshot, 'id'> = {
    time: (opts.time ?? new Date()).toISOString(), host, user: userInfo().username, paths, tags: [...new Set(opts.tags ?? [])].sort(),
    root: addressToHex(root), parent: parent?.id, files: t.files, dirs: t.dirs, bytes: t.bytes,
    added: addedNow(), partial: t.warnings > 0, warnings: t.warnings,
  };
  if (opts.dryRun) {
    // The store was opened with dryRun: it compressed and counted new blocks, and wrote none.
    await repo.store.flush();
    return { snapshot: { id: '(dry run)', ...fields, added: addedNow() }, dryRun: true, parent: parent?.id };
  }
  await repo.store.flush();
  fields.added = addedNow();
  const snapshot: Snapshot = { id: snapshotId(fields), ...fields };
  await writeSnapshotFile(repo.layout.snapshots, snapshot);
  repo.catalog.insert(snapshot);
  return { snapshot, dryRun: false, parent: parent?.id };
}

/** The newest snapshot of the same host and source paths, whose files need not be read again. */
function findParent(repo: Repository, host: string, paths: string[]): Snapshot | undefined {
  const key = JSON.stringify([...paths].sort());
  return repo.catalog.list({ host }).reverse().find((s) => JSON.stringify([...s.paths].sort()) === key);
}
