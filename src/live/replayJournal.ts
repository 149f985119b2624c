// Rebuilds the tree a writable mount showed from what it left in its staging area: the journal's
// changes laid over its base snapshot, and the staging files' sizes and times. The next mount
// (mountWritable.ts) does it before it serves the tree again, and `dedupfs repair`
// (commitLeftovers.ts) before it commits the tree of a mount that was killed.
import { stat } from 'node:fs/promises';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import { addressFromHex } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import type { InodeAllocator } from '../mount/inodes.js';
import { FsError } from '../mount/lookupPath.js';
import type { BlockReader } from '../tree/chunkList.js';
import type { JournalContent } from './journal.js';
import type { LiveOp } from './liveOp.js';
import { LiveTree } from './liveTree.js';
import { removeStagingFiles, stagingFile, type StagingArea } from './stagingArea.js';

/**
 * The snapshot a journal's changes apply to (undefined: an empty tree).
 * @throws DedupfsError SNAPSHOT when it is gone (forgotten since).
 */
export function journalBase(snapshots: Snapshot[], journal: JournalContent, area: StagingArea): Snapshot | undefined {
  if (!journal.base) return undefined;
  const base = snapshots.find((s) => s.id === journal.base);
  if (!base) {
    throw new DedupfsError('SNAPSHOT', `the live tree's uncommitted changes apply to snapshot ${journal.base.slice(0, 8)}, which is gone`,
      { hint: `move ${area.journal} away to start from the newest live snapshot (the changes are then lost)`, data: { path: area.journal } });
  }
  return base;
}

/**
 * The live tree over `base` (an empty tree without one) with `ops` replayed; a line whose
 * change failed when it was made fails the same way now and is skipped. Staging files no
 * node reads from any more are deleted.
 */
export async function replayJournal(store: BlockReader, inodes: InodeAllocator, area: StagingArea, base: Snapshot | undefined, ops: LiveOp[]): Promise<LiveTree> {
  const tree = new LiveTree(store, inodes, { tree: base ? addressFromHex(base.root) : undefined, timeMs: base ? Date.parse(base.time) : Date.now() });
  for (const op of ops) {
    try {
      await tree.apply(op);
    } catch (err) {
      if (!(err instanceof FsError)) throw err;
    }
  }
  const kept = new Set<number>();
  for await (const { node } of tree.staged()) {
    const id = node.staging ?? 0;
    kept.add(id);
    const st = await stat(stagingFile(area, id)).catch(() => undefined);
    node.entry.size = st?.size ?? 0;
    // A staging file is cut before its journal line is written: its size is the truth.
    if (node.lower) node.lower.limit = Math.min(node.lower.limit, node.entry.size);
    if (st) node.entry.mtimeNs = BigInt(Math.round(st.mtimeMs)) * 1_000_000n;
  }
  await removeStagingFiles(area, (id) => kept.has(id));
  return tree;
}
