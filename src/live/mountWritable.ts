// `dedupfs mount --writable`: the live tree of this host as a writable FUSE file system, with
// the read-only catalog beside it as /.snapshots. See docs/LIVE.md for the design (an overlay of
// changes on a snapshot, a journal, staging files, commits as snapshots) and why.
//
// Start: the staging area is claimed; a journal left by a mount that did not end cleanly is
// replayed onto its base snapshot (so nothing it acknowledged is lost), else the tree starts from
// --from SNAP, the newest snapshot tagged `live` of this host, or empty. Commits: commit()
// (what `dedupfs commit` asks for through the control socket), every commitEveryMs if anything
// changed, and at unmount. The repository stays open with a shared lock meanwhile (the caller
// holds it), so gc waits: it never frees a block of the base snapshot the tree is laid over.
import { statfs } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Server } from 'node:net';
import type { SnapshotFilter } from '../catalog/catalog.js';
import { selectSnapshot } from '../catalog/selectSnapshot.js';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import { DedupfsError } from '../core/errors.js';
import type { Repository } from '../repo/repository.js';
import { BlockCache } from '../mount/blockCache.js';
import { CatalogView } from '../mount/catalogView.js';
import { checkMountPoint } from '../mount/checkMountPoint.js';
import { fuseOps } from '../mount/fuseOps.js';
import { InodeAllocator } from '../mount/inodes.js';
import { kernelOptions, readAheadFor } from '../mount/kernelOptions.js';
import { loadFuse } from '../mount/loadFuse.js';
import { mountError, watchMount } from '../mount/mountRepository.js';
import { loadChunkTable } from '../tree/chunkList.js';
import { Chunker } from '../chunker/index.js';
import { BackgroundStore } from './backgroundStore.js';
import { ChangeGate } from './changeGate.js';
import { commitLiveTree, LIVE_TAG } from './commitLiveTree.js';
import { serveCommits } from './controlSocket.js';
import { HeldFiles } from './heldFiles.js';
import { changeCount, Journal, type JournalContent } from './journal.js';
import type { LiveOp } from './liveOp.js';
import type { LiveNode } from './liveTree.js';
import { liveOps } from './liveOps.js';
import { LowerFile } from './lowerFile.js';
import { journalBase, replayJournal } from './replayJournal.js';
import { storeStaged } from './storeStaged.js';
import { claimStagingArea, listStagingFiles, releaseStagingArea, removeStagingFiles, stagingArea, type StagingArea } from './stagingArea.js';

export interface WritableMountOptions {
  mountpoint: string;
  /** a snapshot selector to start from instead of the newest `live` snapshot of this host */
  from?: string;
  /** which snapshots /.snapshots shows (mount --host, --path, --tag) */
  scope?: SnapshotFilter;
  /** commit this often (milliseconds) when something changed; 0 or undefined: only on request and at unmount */
  commitEveryMs?: number;
  allowOther?: boolean;
  cacheBytes: number;
  onError: (line: string) => void;
  /** told of every commit that stored a snapshot */
  onCommit?: (snapshot: Snapshot) => void;
}

export interface WritableMount {
  mountpoint: string;
  /** the snapshot the tree started from (undefined: empty) */
  base?: Snapshot;
  /** how many journal lines of an earlier mount were replayed */
  replayed: number;
  /** Stores the tree as a snapshot if anything changed since the last commit; null if nothing did. */
  commit(): Promise<Snapshot | null>;
  /** resolves once unmounted (by unmount() or from outside) and the last commit is done */
  done: Promise<Snapshot | null>;
  unmount(): Promise<void>;
}

/** The snapshot the tree starts from, and the journal lines to lay over it. */
async function startingPoint(repo: Repository, area: StagingArea, host: string, opts: WritableMountOptions): Promise<{ base?: Snapshot; ops: LiveOp[] }> {
  const { from } = opts;
  const leftover = await Journal.read(area.journal);
  if (leftover?.ops.length) {
    if (from !== undefined) {
      throw new DedupfsError('USAGE', `the live tree of ${host} has ${changeCount(leftover.ops)} uncommitted changes from a mount that did not end cleanly`,
        { hint: "mount without --from, or run 'dedupfs repair', to replay and commit them first", data: { path: area.journal } });
    }
    return { base: journalBase(repo.catalog.list(), leftover, area), ops: leftover.ops };
  }
  if (from !== undefined) return { base: selectSnapshot(repo.catalog.list(opts.scope), from, opts.scope), ops: [] };
  return { base: repo.catalog.list({ host, tags: [LIVE_TAG] }).pop(), ops: [] };
}

export async function mountWritable(repo: Repository, opts: WritableMountOptions): Promise<WritableMount> {
  const Fuse = await loadFuse();
  const mountpoint = await checkMountPoint(opts.mountpoint);
  const host = hostname();
  const area = stagingArea(repo.layout.root, host);
  await claimStagingArea(area, mountpoint);
  repo.store.readAsynchronously();
  await repo.catalog.sync();
  let { base, ops } = await startingPoint(repo, area, host, opts);
  const inodes = new InodeAllocator();
  const tree = await replayJournal(repo.store, inodes, area, base, ops);
  const journal = ops.length ? Journal.open(area.journal) : await Journal.create(area.journal, { base: base?.id ?? '', ops: [] });
  const held = new HeldFiles(journal, area);
  const gate = new ChangeGate();
  gate.changes = ops.length;
  let committedAt = 0;
  const counted = new Map();
  let cleanup = Promise.resolve();
  const ids = { next: Math.max(0, ...(await listStagingFiles(area))) + 1 };

  const heldContent = (node: LiveNode) => (held.isHeld(node) ? held.read(node) : undefined);
  const chunker = new Chunker(repo.chunker);
  const background = new BackgroundStore((node, content) => storeStaged({ store: repo.store, chunker, area }, node, content), heldContent,
    async () => { const s = await statfs(area.dir); return s.bavail * s.bsize; });
  // Blocks stored while the mount runs belong to the next commit's count of what it added.
  let addedBefore = { ...repo.store.added };

  const commit = () => gate.hold(async () => {
    if (gate.changes === committedAt) return null;
    await background.pause();
    try {
      return await commitNow();
    } finally {
      background.resume();
    }
  });

  const commitNow = async () => {
    const firstUnused = ids.next;
    const { snapshot, staged } = await commitLiveTree({ repo, tree, area, mountpoint, host, base, counted, addedBefore,
      held: heldContent, storedAlready: (node) => background.storedAs(node) });
    addedBefore = { ...repo.store.added };
    // The snapshot is durable: start a new journal on it, binding the files still open to
    // their staging files, then let go of the other staging files.
    const next: JournalContent = { base: snapshot.id, ops: [] };
    for (const { node, path, stored } of staged) {
      if (node.open === 0) {
        node.entry.content = stored.content;
        tree.stage(node, undefined);
      } else if (node.lower) {
        // Laid over what was just stored, which holds what the file holds now, whatever its
        // staging file holds where nothing was written.
        node.entry.content = stored.content;
        node.lower = new LowerFile(await loadChunkTable(repo.store, stored.content), node.entry.size);
        next.ops.push({ op: 'up', path, id: node.staging ?? 0, keep: true, t: Date.now() });
      } else {
        // A held file still open goes to its staging file: its journal lines end with this journal.
        if (held.isHeld(node)) node.fd = held.spill(node);
        next.ops.push({ op: 'up', path, id: node.staging ?? 0, t: Date.now() });
      }
    }
    await journal.restart(next);
    // Letting go of the others needs no waiting: a mount that dies meanwhile deletes them at its next start.
    const kept = new Set(next.ops.map((op) => (op.op === 'up' ? op.id : -1)));
    cleanup = cleanup.then(() => removeStagingFiles(area, (id) => kept.has(id) || id >= firstUnused)).catch((err: unknown) =>
      opts.onError(`cannot delete committed staging files: ${(err as Error).message}`));
    committedAt = gate.changes;
    base = snapshot;
    opts.onCommit?.(snapshot);
    return snapshot;
  };

  const cache = new BlockCache(repo.store, opts.cacheBytes);
  const maxReadAhead = readAheadFor(opts.cacheBytes);
  const view = new CatalogView({
    catalog: repo.catalog, filter: opts.scope, snapshotDir: repo.layout.snapshots, store: repo.store, inodes,
    onError: (err) => opts.onError(`cannot read the catalog: ${(err as Error).message}`),
  });
  await view.refresh(true);
  const catalogOps = fuseOps({ root: view.root, cache, maxReadAhead, onError: opts.onError });
  const operations = liveOps({ tree, journal, held, background, area, gate, cache, catalogOps, snapshotsIno: inodes.next(), ids, maxReadAhead, onError: opts.onError });
  const fuse = new Fuse(mountpoint, operations, kernelOptions({
    // 128 KiB writes instead of 4 KiB (docs/ARCHITECTURE.md: fuse-native has no option for it)
    fsname: 'dedupfs-live,use_ino,big_writes,max_write=131072',
    allowOther: opts.allowOther ?? false,
    // a change may wait for a commit or a copy-up; answering EIO then would break the writer
    timeout: false,
  }));
  await new Promise<void>((resolve, reject) => fuse.mount((err) => (err ? reject(mountError(mountpoint, err)) : resolve())));
  const server: Server = await serveCommits(area, commit);
  const timer = opts.commitEveryMs ? setInterval(() => {
    commit().catch((err: unknown) => opts.onError(`commit failed: ${(err as Error).message}`));
  }, opts.commitEveryMs) : undefined;

  const watch = watchMount(fuse, mountpoint);
  const done = watch.done.then(async () => {
    clearInterval(timer);
    server.close();
    try {
      return await commit();
    } finally {
      // No file is stored after the last commit: its blocks would be referred to by nothing.
      await background.pause();
      journal.close();
      await cleanup;
      await releaseStagingArea(area);
    }
  });
  return { mountpoint, base, replayed: changeCount(ops), commit, done, unmount: async () => { await watch.unmount(); await done.catch(() => undefined); } };
}
