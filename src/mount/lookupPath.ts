// Finds the node a FUSE path names ('/' or '/a/b', names as shown: see shownName.ts). A name
// that is not found is looked up once more after asking its folder to refresh, which is how a
// snapshot made a moment ago is found in the catalog folders before its next periodic refresh.
import { constants } from 'node:os';
import type { DirNode, MountNode } from './mountNode.js';

/** An error the mount answers with an errno instead of logging it. */
export class FsError extends Error {
  constructor(readonly errno: number) {
    super(`errno ${errno}`);
  }
}

export const ENOENT = constants.errno.ENOENT;
export const ENOTDIR = constants.errno.ENOTDIR;

export async function lookupPath(root: DirNode, path: string): Promise<MountNode> {
  let node: MountNode = root;
  for (const name of path.split('/')) {
    if (!name) continue;
    if (node.kind !== 'dir') throw new FsError(ENOTDIR);
    const next: MountNode | undefined = (await node.children()).get(name) ?? (await node.children({ refresh: true })).get(name);
    if (!next) throw new FsError(ENOENT);
    node = next;
  }
  return node;
}
