// repair --drop-damaged: a snapshot that needs blocks that are gone is not forgotten; it is
// rewritten without the files (and folders) those blocks belong to, and everything else it
// holds is kept. Only the trees on the way to a damaged path are stored again; every other
// subtree keeps its address. The new record keeps the old one's time, host, user, paths and
// tags, names the old id and the dropped paths in `repaired`, and is written (temp, fsync,
// rename, fsync of the folder) after its trees are durable and before the old record goes, so a
// kill in between leaves both, never neither; the record holds nothing that changes from run to
// run, so the repair run again after such a kill writes the very same record.
import { addressFromHex, addressToHex, type Address } from '../core/address.js';
import { snapshotId, type Snapshot } from '../catalog/snapshotRecord.js';
import type { Repository } from '../repo/repository.js';
import { BlockType } from '../core/blocks.js';
import type { TreeEntry } from '../tree/entry.js';
import { escapeName } from '../tree/nameEscape.js';
import { decodeTree, encodeTree } from '../tree/treeCodec.js';

const SLASH = Buffer.from('/');

export interface RewrittenSnapshot { from: string; to: string; dropped: string[] }

/**
 * Replaces `snap` by a snapshot without `damagedPaths` (paths from the snapshot root, as
 * findDamage gives them: a file, or a folder whose tree cannot be read).
 * The caller holds the exclusive lock and has checked that the root tree reads.
 */
export async function rewriteSnapshot(repo: Repository, snap: Snapshot, damagedPaths: Buffer[]): Promise<RewrittenSnapshot> {
  const drop = new Set(damagedPaths.map((p) => p.toString('hex')));
  const above = new Set<string>();
  for (const p of damagedPaths) {
    for (let i = p.lastIndexOf(SLASH); i > 0; i = p.lastIndexOf(SLASH, i - 1)) above.add(p.subarray(0, i).toString('hex'));
  }
  const lost = { files: 0, dirs: 0, bytes: 0, paths: [] as string[] };

  const rewrite = async (tree: Address, prefix: Buffer): Promise<Address> => {
    const kept: TreeEntry[] = [];
    for (const e of decodeTree(await repo.store.get(tree))) {
      const path = Buffer.concat([prefix, SLASH, e.name]);
      const key = path.toString('hex');
      if (drop.has(key)) {
        lost.paths.push(escapeName(path));
        if (e.kind === 'dir') lost.dirs++;
        else lost.files++;
        if (e.kind === 'file') lost.bytes += e.size;
        continue;
      }
      if (e.subtree && above.has(key)) kept.push({ ...e, subtree: await rewrite(e.subtree, path) });
      else kept.push(e);
    }
    return repo.store.add(BlockType.Tree, encodeTree(kept)).address;
  };

  const root = await rewrite(addressFromHex(snap.root), Buffer.alloc(0));
  await repo.store.flush();
  const { id: from, ...old } = snap;
  const fields: Omit<Snapshot, 'id'> = {
    ...old, root: addressToHex(root),
    files: Math.max(0, old.files - lost.files), dirs: Math.max(0, old.dirs - lost.dirs), bytes: Math.max(0, old.bytes - lost.bytes),
    repaired: { from, dropped: lost.paths.sort() },
  };
  const next: Snapshot = { id: snapshotId(fields), ...fields };
  await repo.snapshotFiles.write(next);
  repo.catalog.insert(next);
  await repo.snapshotFiles.remove(from);
  repo.catalog.remove(from);
  return { from, to: next.id, dropped: lost.paths };
}
