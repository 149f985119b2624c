// One snapshot's tree as mount nodes. A folder's tree block is read and decoded the first time
// the folder is looked into, and its nodes are kept from then on (so inode numbers stay put);
// a block that cannot be read is not remembered, so the next look tries again.
import type { Address } from '../core/address.js';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import { addressFromHex } from '../core/address.js';
import type { BlockReader } from '../core/blocks.js';
import type { TreeEntry } from '../tree/entry.js';
import { decodeTree } from '../tree/treeCodec.js';
import { LinkInodes, type InodeAllocator } from './inodes.js';
import { isUnsafeName, showName, showTarget } from './shownName.js';
import { syntheticDirStat, type DirNode, type MountNode, type NodeStat } from './mountNode.js';

interface TreeContext {
  store: BlockReader;
  links: LinkInodes;
  /** one line for the log: a stored name shown escaped because no file name can be it */
  log?: (line: string) => void;
}

class TreeDir implements DirNode {
  readonly kind = 'dir';
  private loading: Promise<Map<string, MountNode>> | null = null;

  constructor(readonly stat: NodeStat, private readonly tree: Address | undefined, private readonly ctx: TreeContext,
    private readonly label: string, readonly countsLinks = false) {}

  children(): Promise<Map<string, MountNode>> {
    if (!this.loading) {
      this.loading = this.load();
      this.loading.catch(() => { this.loading = null; });
    }
    return this.loading;
  }

  private async load(): Promise<Map<string, MountNode>> {
    const nodes = new Map<string, MountNode>();
    if (!this.tree) return nodes;
    const prefix = this.label.endsWith('/') ? this.label : `${this.label}/`;
    for (const entry of decodeTree(await this.ctx.store.get(this.tree))) {
      const name = showName(entry.name);
      // A folder is decoded once, so each such name is logged once.
      if (isUnsafeName(entry.name)) this.ctx.log?.(`${prefix}${name}: a stored name that cannot be a file name (empty, ".", "..", or holding "/" or NUL) is shown escaped`);
      nodes.set(name, nodeFromEntry(entry, name, prefix, this.ctx));
    }
    return nodes;
  }
}

const nsToMs = (ns: bigint): number => (ns > 0n ? Number(ns / 1_000_000n) : 0);

function entryStat(e: TreeEntry, ino: number, size: number): NodeStat {
  return {
    ino, mode: e.mode, uid: e.uid, gid: e.gid, size, nlink: e.nlink, rdev: e.rdev ?? 0, blocks: Math.ceil(size / 512),
    atime: nsToMs(e.atimeNs), mtime: nsToMs(e.mtimeNs), ctime: nsToMs(e.ctimeNs),
  };
}

function nodeFromEntry(e: TreeEntry, name: string, folder: string, ctx: TreeContext): MountNode {
  const ino = ctx.links.forEntry(e.kind === 'dir' ? undefined : e.linkId);
  switch (e.kind) {
    case 'dir':
      return new TreeDir(entryStat(e, ino, 0), e.subtree, ctx, folder + name);
    case 'file':
      return { kind: 'file', stat: entryStat(e, ino, e.size), content: e.content, folder: folder.slice(0, -1), name };
    case 'symlink': {
      const target = showTarget(e.target ?? Buffer.alloc(0));
      return { kind: 'symlink', stat: entryStat(e, ino, Buffer.byteLength(target)), target };
    }
    default:
      return { kind: 'special', stat: entryStat(e, ino, 0) };
  }
}

/**
 * The root folder of `snapshot`. Its own attributes were not stored (a snapshot's root tree
 * holds the contents of what was ingested), so it shows as a read-only folder of the mounting
 * user, dated at the snapshot's time, with its link count taken from its subfolders.
 */
export function snapshotRoot(opts: { snapshot: Snapshot; store: BlockReader; inodes: InodeAllocator; log?: (line: string) => void }): DirNode {
  const { snapshot, store, inodes } = opts;
  const ctx: TreeContext = { store, links: new LinkInodes(inodes), log: opts.log };
  const stat = syntheticDirStat(inodes.next(), Date.parse(snapshot.time));
  return new TreeDir(stat, addressFromHex(snapshot.root), ctx, `${snapshot.id.slice(0, 8)}:/`, true);
}
