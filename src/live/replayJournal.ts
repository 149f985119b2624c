// Rebuilds the tree a writable mount showed from what it left in its staging area: the journal's
// changes laid over its base snapshot, and the staging files' sizes and times. The next mount
// (mountWritable.ts) does it before it serves the tree again, and `dedupfs repair`
// (commitLeftovers.ts) before it commits the tree of a mount that was killed.
import { stat, utimes, writeFile } from 'node:fs/promises';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import { addressFromHex } from '../core/address.js';
import { DedupfsError } from '../core/errors.js';
import type { InodeAllocator } from '../mount/inodes.js';
import { FsError } from '../mount/lookupPath.js';
import type { BlockReader } from '../core/blocks.js';
import type { JournalContent } from './journal.js';
import type { LiveOp } from './liveOp.js';
import { LiveTree, type LiveNode } from './liveTree.js';
import { listStagingFiles, removeStagingFiles, stagingFile, type StagingArea } from './stagingArea.js';

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

type DataOp = Extract<LiveOp, { op: 'data' }>;

/**
 * Writes the staging file of a file the mount held in the journal (heldFiles.ts) from its `data`
 * lines, with its times (a spill that finished left the staging file, which then holds it all).
 */
async function writeHeldFile(area: StagingArea, node: LiveNode, writes: DataOp[]): Promise<void> {
  const content = Buffer.alloc(node.entry.size);
  for (const op of writes) content.write(op.data, op.at, 'base64');
  const file = stagingFile(area, node.staging ?? 0);
  await writeFile(file, content, { mode: 0o600 });
  await utimes(file, new Date(Number(node.entry.atimeNs / 1_000_000n)), new Date(Number(node.entry.mtimeNs / 1_000_000n)));
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
  const onDisk = new Set(await listStagingFiles(area));
  const writes = new Map<number, DataOp[]>();
  for (const op of ops) {
    if (op.op !== 'data') continue;
    const list = writes.get(op.id);
    if (list) list.push(op);
    else writes.set(op.id, [op]);
  }
  const kept = new Set<number>();
  for await (const { node } of tree.staged()) {
    const id = node.staging ?? 0;
    kept.add(id);
    if (!onDisk.has(id)) await writeHeldFile(area, node, writes.get(id) ?? []);
    const st = await stat(stagingFile(area, id)).catch(() => undefined);
    node.entry.size = st?.size ?? 0;
    // A staging file is cut before its journal line is written: its size is the truth.
    if (node.lower) node.lower.limit = Math.min(node.lower.limit, node.entry.size);
    if (st) node.entry.mtimeNs = BigInt(Math.round(st.mtimeMs)) * 1_000_000n;
  }
  await removeStagingFiles(area, (id) => kept.has(id));
  return tree;
}
