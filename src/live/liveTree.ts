// The tree a writable mount shows: the base snapshot's tree (the lower layer, read lazily, a
// folder's tree block when it is first looked into) with the changes made since laid over it.
// Every change goes through apply(), which the FUSE operations call after writing the change
// to the journal, and which replaying the journal calls again after a restart: one code path,
// so the tree rebuilt from the journal is the tree that was shown.
//
// A node is one file, folder, symlink or special file; a file with several names (hard links)
// is one node under each name. A file written since the base snapshot reads from its staging
// file (node.staging), except the stored chunks it never wrote to (node.lower); every other file
// from its stored chunks (node.entry.content). A folder
// never looked into keeps its stored tree address and costs nothing at the next commit.
import { constants } from 'node:os';
import type { Address } from '../core/address.js';
import type { StoredFile } from '../ingest/storeFile.js';
import { FsError } from '../mount/lookupPath.js';
import type { InodeAllocator } from '../mount/inodes.js';
import type { NodeStat } from '../mount/mountNode.js';
import { showName } from '../mount/shownName.js';
import { loadChunkTable } from '../tree/chunkList.js';
import type { BlockReader } from '../core/blocks.js';
import type { EntryKind, TreeEntry } from '../tree/entry.js';
import { unescapeName } from '../tree/nameEscape.js';
import { decodeTree } from '../tree/treeCodec.js';
import type { LiveOp } from './liveOp.js';
import { LowerFile } from './lowerFile.js';

const { EEXIST, ENOENT, ENOTDIR, EISDIR, ENOTEMPTY, EINVAL, EPERM, ENODATA } = constants.errno;
const XATTR_CREATE = 1, XATTR_REPLACE = 2;
export const S_IFMT = 0o170000;
const S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000;
const NO_CHANGE = 0xffffffff;

export interface LiveNode {
  ino: number;
  /** metadata, and for stored files their chunks, for folders never looked into their tree */
  entry: TreeEntry;
  /** a folder's entries by shown name, once looked into */
  children?: Map<string, LiveNode>;
  /** the staging file holding this file's content, when it was written since the base snapshot */
  staging?: number;
  /** the stored chunks that still hold the bytes of a staged file never written (lowerFile.ts) */
  lower?: LowerFile;
  /** a new small file held in the journal (heldFiles.ts): where its `data` lines are, [at, length] */
  logged?: Array<[number, number]>;
  /** a held file's content while it is open (its capacity may exceed its size) */
  held?: Buffer;
  /** how many names the node has (hard links) */
  links: number;
  /** open handles, and the staging file's descriptor while there are any */
  open: number;
  fd?: number;
  /** how many writes and truncates changed the file's content in this mount (backgroundStore.ts) */
  written?: number;
  /** what the file was stored as while the mount ran, with `written` and `staging` then */
  storedAs?: { written: number; staging: number; stored: StoredFile };
  /** changed since it was read from its snapshot or last committed (its stored entries are stale) */
  dirty?: boolean;
  /** a folder's entries as last read or committed, by shown name: an unchanged node is stored as
   * its entry under that name was (the names of a hard link can differ, e.g. in atime) */
  stored?: Map<string, TreeEntry>;
}

/** The bytes a shown name stands for (src/mount/shownName.ts); a name no escape made is taken as typed. */
export function nameBytes(shown: string): Buffer {
  const bytes = unescapeName(shown);
  return showName(bytes) === shown ? bytes : Buffer.from(shown, 'utf8');
}

const msToNs = (ms: number): bigint => BigInt(Math.round(ms)) * 1_000_000n;
const nsToMs = (ns: bigint): number => (ns > 0n ? Number(ns / 1_000_000n) : 0);

function kindOfMode(mode: number): EntryKind {
  switch (mode & S_IFMT) {
    case S_IFREG: return 'file';
    case S_IFDIR: return 'dir';
    case S_IFLNK: return 'symlink';
    case 0o010000: return 'fifo';
    case 0o020000: return 'chardev';
    case 0o060000: return 'blockdev';
    default: return 'socket';
  }
}

function newEntry(kind: EntryKind, mode: number, uid: number, gid: number, t: number): TreeEntry {
  const ns = msToNs(t);
  return { name: Buffer.alloc(0), kind, mode, uid, gid, size: 0, mtimeNs: ns, atimeNs: ns, ctimeNs: ns, ino: 0, nlink: 1 };
}

export class LiveTree {
  readonly root: LiveNode;
  /** nodes of the lower layer by linkId, so that the names of one stored file are one node */
  private readonly byLinkId = new Map<string, LiveNode>();
  private readonly loading = new Map<LiveNode, Promise<Map<string, LiveNode>>>();
  /** staged files by staging file id (journal lines about a file's data name it by its id) */
  private readonly byStaging = new Map<number, LiveNode>();

  constructor(private readonly store: BlockReader, private readonly inodes: InodeAllocator, base: { tree?: Address; timeMs: number }) {
    const entry = newEntry('dir', S_IFDIR | 0o755, process.getuid?.() ?? 0, process.getgid?.() ?? 0, base.timeMs);
    entry.subtree = base.tree;
    this.root = { ino: 1, entry, links: 1, open: 0, children: base.tree ? undefined : new Map() };
  }

  /** A folder's entries, reading its tree block the first time (once, however many ask at once). */
  children(dir: LiveNode): Promise<Map<string, LiveNode>> {
    if (dir.children) return Promise.resolve(dir.children);
    let loading = this.loading.get(dir);
    if (!loading) {
      loading = this.load(dir).finally(() => this.loading.delete(dir));
      this.loading.set(dir, loading);
    }
    return loading;
  }

  private async load(dir: LiveNode): Promise<Map<string, LiveNode>> {
    const children = new Map<string, LiveNode>();
    const stored = new Map<string, TreeEntry>();
    if (dir.entry.subtree) {
      for (const e of decodeTree(await this.store.get(dir.entry.subtree))) {
        stored.set(showName(e.name), e);
        let node = e.linkId ? this.byLinkId.get(e.linkId) : undefined;
        if (node) node.links++;
        else {
          node = { ino: this.inodes.next(), entry: e, links: 1, open: 0 };
          if (e.linkId) this.byLinkId.set(e.linkId, node);
        }
        children.set(showName(e.name), node);
      }
    }
    dir.children = children;
    dir.stored = stored;
    return children;
  }

  /**
   * The node at `path` without waiting, when every folder on the way was looked into already:
   * the node, the errno of a path that names nothing (no Error made: most lookups of a copy are
   * of names not there yet), or undefined when a folder's tree block must be read first.
   */
  lookupLoaded(path: string): LiveNode | number | undefined {
    let node = this.root;
    for (const name of path.split('/')) {
      if (!name) continue;
      if (node.entry.kind !== 'dir') return ENOTDIR;
      if (!node.children) return undefined;
      const next = node.children.get(name);
      if (!next) return ENOENT;
      node = next;
    }
    return node;
  }

  async lookup(path: string): Promise<LiveNode> {
    const loaded = this.lookupLoaded(path);
    if (typeof loaded === 'number') throw new FsError(loaded);
    if (loaded) return loaded;
    let node = this.root;
    for (const name of path.split('/')) {
      if (!name) continue;
      if (node.entry.kind !== 'dir') throw new FsError(ENOTDIR);
      const next = (await this.children(node)).get(name);
      if (!next) throw new FsError(ENOENT);
      node = next;
    }
    return node;
  }

  /** The folder that holds `path`, and the name in it. */
  async parentOf(path: string): Promise<{ dir: LiveNode; name: string; entries: Map<string, LiveNode> }> {
    const cut = path.lastIndexOf('/');
    const name = path.slice(cut + 1);
    if (!name) throw new FsError(EINVAL);
    const dir = await this.lookup(path.slice(0, cut));
    if (dir.entry.kind !== 'dir') throw new FsError(ENOTDIR);
    return { dir, name, entries: await this.children(dir) };
  }

  stat(node: LiveNode): NodeStat {
    const e = node.entry;
    let nlink = node.links;
    if (e.kind === 'dir') {
      nlink = 2;
      if (node.children) for (const c of node.children.values()) nlink += c.entry.kind === 'dir' ? 1 : 0;
      else nlink = Math.max(2, e.nlink);
    }
    const size = e.kind === 'symlink' ? Buffer.byteLength(this.target(node)) : e.size;
    return {
      ino: node.ino, mode: e.mode, uid: e.uid, gid: e.gid, size, nlink, rdev: e.rdev ?? 0, blocks: Math.ceil(size / 512),
      atime: nsToMs(e.atimeNs), mtime: nsToMs(e.mtimeNs), ctime: nsToMs(e.ctimeNs),
    };
  }

  /** A symlink's target as readlink answers it. */
  target(node: LiveNode): string {
    return showName(node.entry.target ?? Buffer.alloc(0));
  }

  /**
   * Makes one change. Returns the node that lost its last name by it (unlink, rmdir, rename
   * over), whose staging file the caller may delete once nothing has it open.
   */
  async apply(op: LiveOp): Promise<LiveNode | undefined> {
    switch (op.op) {
      case 'mkdir': {
        const node = await this.add(op.path, newEntry('dir', S_IFDIR | (op.mode & 0o7777), op.uid, op.gid, op.t), op.t);
        node.children = new Map();
        return undefined;
      }
      case 'create': {
        const node = await this.add(op.path, newEntry('file', S_IFREG | (op.mode & 0o7777), op.uid, op.gid, op.t), op.t);
        this.stage(node, op.id);
        return undefined;
      }
      case 'mknod': {
        const entry = newEntry(kindOfMode(op.mode), op.mode, op.uid, op.gid, op.t);
        if (entry.kind === 'chardev' || entry.kind === 'blockdev') entry.rdev = op.rdev;
        await this.add(op.path, entry, op.t);
        return undefined;
      }
      case 'symlink': {
        const entry = newEntry('symlink', S_IFLNK | 0o777, op.uid, op.gid, op.t);
        entry.target = nameBytes(op.target);
        entry.size = entry.target.length;
        await this.add(op.path, entry, op.t);
        return undefined;
      }
      case 'link': {
        const node = await this.lookup(op.from);
        if (node.entry.kind === 'dir') throw new FsError(EPERM);
        const { dir, name, entries } = await this.parentOf(op.path);
        if (entries.has(name)) throw new FsError(EEXIST);
        entries.set(name, node);
        node.links++;
        node.dirty = true;
        this.touch(dir, op.t);
        node.entry.ctimeNs = msToNs(op.t);
        return undefined;
      }
      case 'unlink':
      case 'rmdir': {
        const { dir, name, entries } = await this.parentOf(op.path);
        const node = entries.get(name);
        if (!node) throw new FsError(ENOENT);
        if (op.op === 'unlink' && node.entry.kind === 'dir') throw new FsError(EISDIR);
        if (op.op === 'rmdir') {
          if (node.entry.kind !== 'dir') throw new FsError(ENOTDIR);
          if ((await this.children(node)).size) throw new FsError(ENOTEMPTY);
        }
        entries.delete(name);
        this.touch(dir, op.t);
        node.dirty = true;
        return --node.links === 0 ? node : undefined;
      }
      case 'rename':
        return this.rename(op.from, op.path, op.t);
      case 'chmod': {
        const node = await this.lookup(op.path);
        node.entry.mode = (node.entry.mode & S_IFMT) | (op.mode & 0o7777);
        node.entry.ctimeNs = msToNs(op.t);
        node.dirty = true;
        return undefined;
      }
      case 'chown': {
        const node = await this.lookup(op.path);
        const { entry } = node;
        node.dirty = true;
        // The stored names went with the old owner; restore maps by number when there are none.
        if (op.uid !== NO_CHANGE) [entry.uid, entry.user] = [op.uid, undefined];
        if (op.gid !== NO_CHANGE) [entry.gid, entry.group] = [op.gid, undefined];
        entry.ctimeNs = msToNs(op.t);
        return undefined;
      }
      case 'utimens': {
        const node = await this.lookup(op.path);
        const { entry } = node;
        node.dirty = true;
        entry.atimeNs = msToNs(op.atime);
        entry.mtimeNs = msToNs(op.mtime);
        entry.ctimeNs = msToNs(op.t);
        return undefined;
      }
      case 'setxattr':
      case 'removexattr': {
        const node = await this.lookup(op.path);
        const xattrs = node.entry.xattrs ?? [];
        const had = xattrs.some(([name]) => name === op.name);
        if (op.op === 'removexattr' && !had) throw new FsError(ENODATA);
        if (op.op === 'setxattr' && op.flags & XATTR_CREATE && had) throw new FsError(EEXIST);
        if (op.op === 'setxattr' && op.flags & XATTR_REPLACE && !had) throw new FsError(ENODATA);
        const rest = xattrs.filter(([name]) => name !== op.name);
        if (op.op === 'setxattr') rest.push([op.name, Buffer.from(op.value, 'base64')]);
        // Sorted by name, as ingest stores them.
        node.entry.xattrs = rest.length ? rest.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : undefined;
        node.entry.ctimeNs = msToNs(op.t);
        node.dirty = true;
        return undefined;
      }
      case 'up': {
        const node = await this.lookup(op.path);
        if (node.entry.kind !== 'file') throw new FsError(EINVAL);
        node.lower = op.keep ? new LowerFile(await loadChunkTable(this.store, node.entry.content), node.entry.size) : undefined;
        this.stage(node, op.id);
        node.dirty = true;
        return undefined;
      }
      case 'data': {
        const node = this.byStaging.get(op.id);
        if (node) {
          node.entry.size = Math.max(node.entry.size, op.at + Buffer.byteLength(op.data, 'base64'));
          node.entry.mtimeNs = node.entry.ctimeNs = msToNs(op.t);
        }
        return undefined;
      }
      case 'copied':
        this.byStaging.get(op.id)?.lower?.mark(op.chunks);
        return undefined;
      case 'cut': {
        const lower = this.byStaging.get(op.id)?.lower;
        if (lower) lower.limit = Math.min(lower.limit, op.size);
        return undefined;
      }
    }
  }

  /** Binds a file to its staging file (or, with undefined, to its stored chunks again after a commit). */
  stage(node: LiveNode, id: number | undefined): void {
    if (node.staging !== undefined) this.byStaging.delete(node.staging);
    node.staging = id;
    if (id === undefined) [node.lower, node.logged, node.held] = [undefined, undefined, undefined];
    else this.byStaging.set(id, node);
  }

  /** Every node reading from a staging file, with one of its paths. */
  async *staged(): AsyncGenerator<{ node: LiveNode; path: string }> {
    const seen = new Set<LiveNode>();
    const walk = async function* (dir: LiveNode, path: string): AsyncGenerator<{ node: LiveNode; path: string }> {
      if (!dir.children) return;
      for (const [name, node] of dir.children) {
        if (node.entry.kind === 'dir') yield* walk(node, `${path}/${name}`);
        else if (node.staging !== undefined && !seen.has(node)) {
          seen.add(node);
          yield { node, path: `${path}/${name}` };
        }
      }
    };
    yield* walk(this.root, '');
  }

  private touch(dir: LiveNode, t: number): void {
    dir.entry.mtimeNs = dir.entry.ctimeNs = msToNs(t);
    dir.dirty = true;
  }

  private async add(path: string, entry: TreeEntry, t: number): Promise<LiveNode> {
    const { dir, name, entries } = await this.parentOf(path);
    if (entries.has(name)) throw new FsError(EEXIST);
    const node: LiveNode = { ino: this.inodes.next(), entry, links: 1, open: 0 };
    entries.set(name, node);
    this.touch(dir, t);
    return node;
  }

  private async rename(from: string, to: string, t: number): Promise<LiveNode | undefined> {
    if (to === from) return undefined;
    if (to.startsWith(`${from}/`)) throw new FsError(EINVAL);
    const src = await this.parentOf(from);
    const node = src.entries.get(src.name);
    if (!node) throw new FsError(ENOENT);
    const dst = await this.parentOf(to);
    const old = dst.entries.get(dst.name);
    if (old === node) return undefined; // two names of one file: rename does nothing
    let dropped: LiveNode | undefined;
    if (old) {
      if (node.entry.kind === 'dir') {
        if (old.entry.kind !== 'dir') throw new FsError(ENOTDIR);
        if ((await this.children(old)).size) throw new FsError(ENOTEMPTY);
      } else if (old.entry.kind === 'dir') throw new FsError(EISDIR);
      if (--old.links === 0) dropped = old;
    }
    src.entries.delete(src.name);
    dst.entries.set(dst.name, node);
    this.touch(src.dir, t);
    this.touch(dst.dir, t);
    node.entry.ctimeNs = msToNs(t);
    node.dirty = true;
    return dropped;
  }
}
