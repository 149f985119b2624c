// The mount's root when no --snapshot is given: the catalog as folders.
//
//   snapshots/TIME       every snapshot by its time to the second (2026-11-25T03:00:00Z); a
//                        snapshot made in the same second as an older one gets TIME-SHORTID
//   ids/SHORTID          by id: the shortest unique prefix, at least 8 hex digits
//   hosts/HOST/TIME      the snapshots of each host
//   tags/TAG/TIME        the snapshots with each tag
//   latest               a symlink to snapshots/TIME of the newest snapshot
//
// Every alias of a snapshot is the same folder (same nodes, same inode numbers). The layout is
// rebuilt from the catalog when it changes: the catalog is synced with the snapshot files at
// most once per refreshMs on lookups, and always when a catalog folder is listed or a name in
// one is not found, so snapshots made or forgotten while mounted come and go without remounting.
// A sync first lists the snapshot files, and reads the catalog only when they changed: listing
// a folder of a catalog with thousands of snapshots stays cheap.
import type { Catalog, SnapshotFilter } from '../catalog/catalog.js';
import { listSnapshotIds, type Snapshot } from '../catalog/snapshotRecord.js';
import type { BlockReader } from '../core/blocks.js';
import type { InodeAllocator } from './inodes.js';
import { showLabel } from './shownName.js';
import { S_IFLNK, syntheticDirStat, type DirNode, type LinkNode, type MountNode } from './mountNode.js';
import { snapshotRoot } from './snapshotTree.js';
import { shortIds } from './shortIds.js';

export interface CatalogViewOptions {
  catalog: Catalog;
  /** show only the snapshots this filter lets through (mount --host, --path, --tag) */
  filter?: SnapshotFilter;
  /** the repository's snapshots/ folder: the catalog is re-read only when its files change */
  snapshotDir: string;
  store: BlockReader;
  inodes: InodeAllocator;
  /** lookups re-read the catalog at most this often; default 1000 ms */
  refreshMs?: number;
  /** a catalog that cannot be read is reported here (once) and the last good layout kept */
  onError: (err: unknown) => void;
  /** one line for the log about a snapshot's tree (see snapshotTree.ts) */
  log?: (line: string) => void;
}

class CatalogDir implements DirNode {
  readonly kind = 'dir';
  readonly countsLinks = true;

  constructor(readonly stat: DirNode['stat'], private readonly view: CatalogView, private readonly key: string) {}

  async children(opts: { refresh?: boolean } = {}): Promise<Map<string, MountNode>> {
    await this.view.refresh(opts.refresh ?? false);
    return this.view.folder(this.key);
  }
}

export class CatalogView {
  readonly root: DirNode;
  private readonly dirs = new Map<string, CatalogDir>();
  private readonly roots = new Map<string, DirNode>();
  private latestIno = 0;
  private folders = new Map<string, Map<string, MountNode>>();
  private built = false;
  /** the snapshot files the layout was built from */
  private seenFiles: string | null = null;
  private lastError = '';
  private lastSync = 0;
  private syncing: Promise<void> | null = null;

  constructor(private readonly opts: CatalogViewOptions) {
    this.root = this.dir('');
  }

  /** Syncs with the catalog if `force` or refreshMs have passed since the last sync. */
  refresh(force: boolean): Promise<void> {
    if (this.syncing) return this.syncing;
    if (!force && this.built && Date.now() - this.lastSync < (this.opts.refreshMs ?? 1000)) return Promise.resolve();
    this.syncing = this.sync().finally(() => { this.syncing = null; });
    return this.syncing;
  }

  /** The entries of the catalog folder `key` ('' is the root, 'hosts/HOST' a host's folder). */
  folder(key: string): Map<string, MountNode> {
    return this.folders.get(key) ?? new Map();
  }

  private async sync(): Promise<void> {
    this.lastSync = Date.now();
    let snapshots: Snapshot[];
    try {
      const files = (await listSnapshotIds(this.opts.snapshotDir)).sort().join(',');
      if (files === this.seenFiles) return;
      await this.opts.catalog.sync();
      snapshots = this.opts.catalog.list(this.opts.filter);
      this.seenFiles = files;
      this.lastError = '';
    } catch (err) {
      // Reported once, not on every listing while the problem lasts.
      if (String(err) !== this.lastError) this.opts.onError(err);
      this.lastError = String(err);
      if (this.built) return;
      snapshots = [];
    }
    this.build(snapshots);
    this.built = true;
  }

  private build(snapshots: Snapshot[]): void {
    const folders = new Map<string, Map<string, MountNode>>();
    const add = (key: string, name: string, node: MountNode) => {
      let folder = folders.get(key);
      if (!folder) folders.set(key, (folder = new Map()));
      folder.set(name, node);
    };
    const addFolder = (parent: string, name: string) => {
      const key = parent ? `${parent}/${name}` : name;
      if (!folders.get(parent)?.has(name)) add(parent, name, this.dir(key));
      if (!folders.has(key)) folders.set(key, new Map());
      return key;
    };
    for (const top of ['snapshots', 'ids', 'hosts', 'tags']) addFolder('', top);
    const ids = shortIds(snapshots.map((s) => s.id));
    const live = new Set<string>();
    let newestName = '';
    snapshots.forEach((snap, i) => {
      live.add(snap.id);
      const root = this.rootOf(snap);
      const second = `${snap.time.slice(0, 19)}Z`;
      const name = folders.get('snapshots')?.has(second) ? `${second}-${ids[i]}` : second;
      add('snapshots', name, root);
      add('ids', ids[i], root);
      add(addFolder('hosts', showLabel(snap.host)), name, root);
      for (const tag of new Set(snap.tags)) add(addFolder('tags', showLabel(tag)), name, root);
      newestName = name;
    });
    if (newestName) add('', 'latest', this.latestLink(`snapshots/${newestName}`));
    for (const id of this.roots.keys()) if (!live.has(id)) this.roots.delete(id);
    const newest = snapshots.length ? Date.parse(snapshots[snapshots.length - 1].time) : Date.now();
    for (const dir of this.dirs.values()) dir.stat.mtime = dir.stat.ctime = dir.stat.atime = newest;
    this.folders = folders;
  }

  private dir(key: string): CatalogDir {
    let dir = this.dirs.get(key);
    if (!dir) this.dirs.set(key, (dir = new CatalogDir(syntheticDirStat(key ? this.opts.inodes.next() : 1, Date.now()), this, key)));
    return dir;
  }

  private rootOf(snapshot: Snapshot): DirNode {
    let root = this.roots.get(snapshot.id);
    if (!root) this.roots.set(snapshot.id, (root = snapshotRoot({ snapshot, store: this.opts.store, inodes: this.opts.inodes, log: this.opts.log })));
    return root;
  }

  private latestLink(target: string): LinkNode {
    this.latestIno ||= this.opts.inodes.next();
    const stat = { ...this.root.stat, ino: this.latestIno, mode: S_IFLNK | 0o777, nlink: 1, size: Buffer.byteLength(target) };
    return { kind: 'symlink', stat, target };
  }
}
