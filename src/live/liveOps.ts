// The FUSE operations of a writable mount, in fuse-native's callback shape (see
// src/mount/fuseOps.ts). `/.snapshots` and everything below it is the read-only catalog,
// answered by the read-only mount's operations (changes there answer EROFS; a rename or link
// between it and the live tree EXDEV). Everything else is the live tree (liveTree.ts).
//
// A change is written to the journal, then made in the tree, then answered. A new small file's
// writes are journal lines too (it is held in the journal, heldFiles.ts); other file data goes
// straight into the file's staging file with write(2) before the write is answered, so what
// was acknowledged survives kill -9 of the mount (it is in the page cache); fsync also fsyncs
// the staging file and the journal, so it survives a crash of the machine. A stored file opened
// for writing gets a sparse staging file of its size; a write copies into it first only the
// stored chunks it touches (chunk-level copy-up, lowerFile.ts), and reads take the chunks never
// copied from the store.
//
// Staging files and the journal are local files of the repository, never paths inside a FUSE
// mount, so the synchronous calls on them here hold the thread for one page-cache copy at most.
import { closeSync, constants as fsConstants, fsyncSync, ftruncateSync, futimesSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { rm, statfs } from 'node:fs/promises';
import { constants } from 'node:os';
import { DedupfsError } from '../core/errors.js';
import type { BlockCache } from '../mount/blockCache.js';
import { FileReader } from '../mount/fileReader.js';
import { FsError } from '../mount/lookupPath.js';
import { loadChunkTable, type ChunkTable } from '../tree/chunkList.js';
import type { BackgroundStore } from './backgroundStore.js';
import type { ChangeGate } from './changeGate.js';
import type { HeldFiles } from './heldFiles.js';
import type { Journal } from './journal.js';
import type { LiveOp } from './liveOp.js';
import type { LiveNode, LiveTree } from './liveTree.js';
import type { LowerFile } from './lowerFile.js';
import { aclMode, POSIX_ACL } from './posixAcl.js';
import { readLayered } from './storeLayered.js';
import { stagingFile, type StagingArea } from './stagingArea.js';

type Callback = (code: number, ...values: unknown[]) => void;
type Operation = (...args: any[]) => void;

export interface LiveOpsOptions {
  tree: LiveTree;
  journal: Journal;
  /** new small files held in the journal */
  held: HeldFiles;
  /** stores files as they are closed */
  background: BackgroundStore;
  area: StagingArea;
  gate: ChangeGate;
  cache: BlockCache;
  /** the read-only mount's operations over the catalog, shown as /.snapshots */
  catalogOps: Record<string, Operation>;
  /** the inode number /.snapshots shows */
  snapshotsIno: number;
  /** the next staging file id, shared with the commit (which keeps the files of ids from it on) */
  ids: { next: number };
  maxReadAhead: number;
  onError: (line: string) => void;
}

interface Handle {
  node: LiveNode;
  /** reads the file's stored chunks: node.entry.content, or node.lower's table once staged */
  reader?: FileReader;
  readerTable?: ChunkTable;
}

const { EIO, EINVAL, EISDIR, EROFS, EXDEV, EBADF, ENODATA, EOPNOTSUPP, EILSEQ } = constants.errno;
const REPLACEMENT = '\ufffd';
const O_ACCMODE = 3;
const SNAPSHOTS = '/.snapshots';
/** Chunks fetched at once while copying stored chunks up. */
const COPY_WINDOW = 16;

/**
 * fuse-native hands names over decoded as UTF-8, each byte that is not UTF-8 turned into U+FFFD,
 * so the bytes of such a name are lost, and two of them could become one name. A new name (or
 * symlink target) holding U+FFFD is refused with EILSEQ rather than stored as something else;
 * a stored name that holds it can still be used.
 */
function mangledName(op: LiveOp): boolean {
  if (!['create', 'mkdir', 'mknod', 'symlink', 'link', 'rename'].includes(op.op) || !('path' in op)) return false;
  return op.path.slice(op.path.lastIndexOf('/') + 1).includes(REPLACEMENT) || (op.op === 'symlink' && op.target.includes(REPLACEMENT));
}

const inSnapshots = (path: string) => path === SNAPSHOTS || path.startsWith(`${SNAPSHOTS}/`);
const underSnapshots = (path: string) => path.slice(SNAPSHOTS.length) || '/';

export function liveOps(opts: LiveOpsOptions): Record<string, Operation> {
  const { tree, journal, area, gate, cache, catalogOps, held, background } = opts;
  const handles = new Map<number, Handle>();
  let lastFd = 0;

  /** Answers cb with what `work` returns ([0, value] or [bytes]; nothing means [0]), or with the errno its failure means. */
  const answer = (cb: Callback, what: () => string, work: () => Promise<unknown[] | void>) => {
    Promise.resolve().then(work).then((values) => cb(...((values ?? [0]) as [number])), (err: unknown) => {
      if (err instanceof FsError) return cb(-err.errno);
      const errno = (err as NodeJS.ErrnoException)?.errno;
      if (typeof errno === 'number' && errno < 0) return cb(errno); // ENOSPC, EIO of the staging disk
      opts.onError(err instanceof DedupfsError ? `${what()}: ${err.message}` : `internal error while answering ${what()}: ${(err as Error)?.stack ?? String(err)}`);
      cb(-EIO);
    });
  };

  /** Journals `op` and makes it; deletes the staging file of a file that lost its last name. */
  const change = async (op: LiveOp): Promise<void> => {
    if (mangledName(op)) throw new FsError(EILSEQ);
    journal.append(op);
    const dropped = await tree.apply(op);
    if (dropped) releaseStaging(dropped);
  };

  const releaseStaging = (node: LiveNode) => {
    if (node.links > 0 || node.open > 0 || node.staging === undefined) return;
    [node.logged, node.held] = [undefined, undefined];
    // At once: on a full disk, the next write may be waiting for exactly this room.
    try {
      unlinkSync(stagingFile(area, node.staging));
    } catch {
      // already gone (a commit let go of it)
    }
  };

  /** The staging file of `node`, open (a held file is spilled to one first). */
  const stagingFd = (node: LiveNode): number => {
    if (node.staging === undefined) throw new FsError(EBADF);
    if (held.isHeld(node)) node.fd = held.spill(node);
    return (node.fd ??= openSync(stagingFile(area, node.staging), 'r+'));
  };

  const newStagingFile = (): { id: number; fd: number } => {
    const id = opts.ids.next++;
    return { id, fd: openSync(stagingFile(area, id), 'w+', 0o600) };
  };

  /**
   * Binds a stored file to a new staging file: a sparse one of its size over its stored chunks,
   * or (empty) an empty one.
   */
  const copyUp = async (path: string, node: LiveNode, empty: boolean): Promise<void> => {
    const { id, fd } = newStagingFile();
    try {
      if (!empty) ftruncateSync(fd, node.entry.size);
      await change({ op: 'up', path, id, keep: !empty || undefined, t: Date.now() });
    } catch (err) {
      closeSync(fd);
      await rm(stagingFile(area, id), { force: true });
      throw err;
    }
    if (empty) node.entry.size = 0;
    if (node.open > 0 && node.fd === undefined) node.fd = fd;
    else closeSync(fd);
  };

  /** Copies into the staging file the stored chunks that a write to [start, end) touches and it does not hold yet. */
  const copyChunks = async (node: LiveNode, start: number, end: number): Promise<void> => {
    const { lower } = node;
    const chunks = lower?.missing(start, end) ?? [];
    if (!lower || !chunks.length) return;
    const fd = stagingFd(node);
    for (let i = 0; i < chunks.length; i += COPY_WINDOW) {
      const part = chunks.slice(i, i + COPY_WINDOW);
      const blocks = await Promise.all(cache.getMany(part.map((k) => lower.table.address(k))));
      blocks.forEach((data, j) => {
        const at = lower.table.offsets[part[j]];
        writeSync(fd, data, 0, Math.min(data.length, lower.limit - at), at);
      });
    }
    await change({ op: 'copied', id: node.staging ?? 0, chunks });
  };

  /** Reads a staged file that still has stored chunks: each part from where it lives. */
  const readLower = async (h: Handle, lower: LowerFile, buf: Buffer, length: number, pos: number): Promise<number> => {
    const end = Math.min(pos + length, h.node.entry.size);
    if (pos >= end) return 0;
    if (h.readerTable !== lower.table) [h.reader, h.readerTable] = [new FileReader(lower.table, cache, opts.maxReadAhead), lower.table];
    const reader = h.reader as FileReader;
    const fd = stagingFd(h.node);
    await readLayered(lower, async (into, at) => { into.fill(0, readSync(fd, into, 0, into.length, at)); },
      async (k) => {
        const part = Buffer.allocUnsafe(lower.table.length(k));
        await reader.read(part, part.length, lower.table.offsets[k]);
        return part;
      }, buf.subarray(0, end - pos), pos);
    return end - pos;
  };

  const ownerOf = () => ({ uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 });

  const newHandle = (node: LiveNode): number => {
    do lastFd = lastFd >= 0x7fffffff ? 1 : lastFd + 1; while (handles.has(lastFd));
    handles.set(lastFd, { node });
    node.open++;
    return lastFd;
  };

  const setSize = (node: LiveNode, size: number) => {
    ftruncateSync(stagingFd(node), size);
    node.written = (node.written ?? 0) + 1;
    node.entry.size = size;
    node.entry.mtimeNs = node.entry.ctimeNs = BigInt(Date.now()) * 1_000_000n;
  };

  const truncate = async (path: string, node: LiveNode, size: number) => {
    if (node.entry.kind === 'dir') throw new FsError(EISDIR);
    if (node.entry.kind !== 'file') throw new FsError(EINVAL);
    if (node.staging === undefined) await copyUp(path, node, size === 0);
    const closeAfter = node.fd === undefined;
    setSize(node, size);
    if (node.lower && size < node.lower.limit) await change({ op: 'cut', id: node.staging ?? 0, size });
    if (closeAfter && node.open === 0 && node.fd !== undefined) {
      closeSync(node.fd);
      node.fd = undefined;
    }
  };

  /**
   * Answers cb with what `reply` makes of the node at `path`: at once when every folder on the
   * way is loaded (most calls: no promise, no Error for a name not there), else once it is.
   */
  const atNode = (path: string, cb: Callback, what: () => string, reply: (node: LiveNode) => unknown[]) => {
    const loaded = tree.lookupLoaded(path);
    if (typeof loaded === 'number') return cb(-loaded);
    if (loaded) return cb(...(reply(loaded) as [number]));
    answer(cb, what, async () => reply(await tree.lookup(path)));
  };

  /** For changes: EROFS inside /.snapshots, else the live tree's answer. */
  const live = (name: string, path: string, cb: Callback, work: () => Promise<unknown[] | void>, ...roArgs: unknown[]) => {
    if (inSnapshots(path)) return catalogOps[name](underSnapshots(path), ...roArgs, cb);
    answer(cb, () => `cannot ${name} ${path}`, () => gate.change(work));
  };

  const twoPaths = (name: 'rename' | 'link', from: string, to: string, cb: Callback) => {
    if (inSnapshots(from) || inSnapshots(to)) return cb(-(inSnapshots(from) && inSnapshots(to) ? EROFS : EXDEV));
    answer(cb, () => `cannot ${name} ${from} to ${to}`, () => gate.change(async () => {
      await change(name === 'rename' ? { op: 'rename', from, path: to, t: Date.now() } : { op: 'link', from, path: to, t: Date.now() });
    }));
  };

  const ops: Record<string, Operation> = {
    getattr: (path: string, cb: Callback) => {
      if (path === SNAPSHOTS) return catalogOps.getattr('/', (code: number, st?: Record<string, unknown>) => cb(code, st && { ...st, ino: opts.snapshotsIno }));
      if (inSnapshots(path)) return catalogOps.getattr(underSnapshots(path), cb);
      atNode(path, cb, () => `cannot stat ${path}`, (node) => [0, tree.stat(node)]);
    },

    readdir: (path: string, cb: Callback) => {
      if (inSnapshots(path)) return catalogOps.readdir(underSnapshots(path), cb);
      answer(cb, () => `cannot list ${path}`, async () => {
        const node = await tree.lookup(path);
        if (node.entry.kind !== 'dir') throw new FsError(constants.errno.ENOTDIR);
        const names = [...(await tree.children(node)).keys()];
        return [0, ['.', '..', ...(path === '/' ? ['.snapshots', ...names.filter((n) => n !== '.snapshots')] : names)]];
      });
    },

    readlink: (path: string, cb: Callback) => {
      if (inSnapshots(path)) return catalogOps.readlink(underSnapshots(path), cb);
      answer(cb, () => `cannot read link ${path}`, async () => {
        const node = await tree.lookup(path);
        if (node.entry.kind !== 'symlink') throw new FsError(EINVAL);
        return [0, tree.target(node)];
      });
    },

    open: (path: string, flags: number, cb: Callback) => {
      if (inSnapshots(path)) return catalogOps.open(underSnapshots(path), flags, cb);
      const writing = (flags & O_ACCMODE) !== fsConstants.O_RDONLY;
      answer(cb, () => `cannot open ${path}`, async () => {
        const find = async () => {
          const node = await tree.lookup(path);
          if (node.entry.kind === 'dir') throw new FsError(EISDIR);
          if (node.entry.kind !== 'file') throw new FsError(EINVAL);
          return node;
        };
        if (!writing) {
          const node = await find();
          if (held.isHeld(node)) held.content(node);
          return [0, newHandle(node)];
        }
        return gate.change(async () => {
          const node = await find();
          if (node.staging === undefined) await copyUp(path, node, false);
          const fd = newHandle(node);
          if (held.isHeld(node)) held.content(node);
          else stagingFd(node);
          return [0, fd];
        });
      });
    },

    create: (path: string, mode: number, cb: Callback) => live('create', path, cb, async () => {
      if (held.canHold()) {
        const id = opts.ids.next++;
        await change({ op: 'create', path, mode, ...ownerOf(), id, t: Date.now() });
        const node = await tree.lookup(path);
        held.hold(node);
        return [0, newHandle(node)];
      }
      const { id, fd } = newStagingFile();
      try {
        await change({ op: 'create', path, mode, ...ownerOf(), id, t: Date.now() });
      } catch (err) {
        closeSync(fd);
        void rm(stagingFile(area, id), { force: true });
        throw err;
      }
      const node = await tree.lookup(path);
      node.fd = fd;
      return [0, newHandle(node)];
    }, mode),

    read: (path: string, fd: number, buf: Buffer, length: number, pos: number, cb: Callback) => {
      if (inSnapshots(path)) return catalogOps.read(underSnapshots(path), fd, buf, length, pos, cb);
      const h = handles.get(fd);
      if (!h) return cb(-EBADF);
      const { lower } = h.node;
      if (lower) return answer(cb, () => `cannot read ${path}`, async () => [await readLower(h, lower, buf, length, pos)]);
      if (held.isHeld(h.node)) {
        const content = held.content(h.node);
        return cb(pos < content.length ? content.copy(buf, 0, pos, pos + length) : 0);
      }
      if (h.node.staging !== undefined) {
        try {
          return cb(readSync(stagingFd(h.node), buf, 0, length, pos));
        } catch (err) {
          return cb((err as NodeJS.ErrnoException).errno ?? -EIO);
        }
      }
      const cached = h.reader?.readCached(buf, length, pos);
      if (cached !== undefined && cached !== null) return cb(cached);
      answer(cb, () => `cannot read ${path}`, async () => {
        if (!h.reader || h.readerTable) [h.reader, h.readerTable] = [new FileReader(await loadChunkTable(cache, h.node.entry.content), cache, opts.maxReadAhead), undefined];
        return [await h.reader.read(buf, length, pos)];
      });
    },

    write: (path: string, fd: number, buf: Buffer, length: number, pos: number, cb: Callback) => {
      const h = handles.get(fd);
      if (!h || h.node.staging === undefined) return cb(-EBADF);
      const write = () => {
        const t = Date.now();
        const n = held.isHeld(h.node) && held.write(h.node, buf, length, pos, t) ? length : writeSync(stagingFd(h.node), buf, 0, length, pos);
        const { entry } = h.node;
        h.node.written = (h.node.written ?? 0) + 1;
        if (pos + n > entry.size) entry.size = pos + n;
        entry.mtimeNs = entry.ctimeNs = BigInt(t) * 1_000_000n;
        gate.changes++;
        return n;
      };
      if (h.node.lower?.missing(pos, pos + length).length) {
        return answer(cb, () => `cannot write ${path}`, () => gate.change(async () => {
          await copyChunks(h.node, pos, pos + length);
          return [write()];
        }));
      }
      if (gate.open) {
        try {
          return cb(write());
        } catch (err) {
          return cb((err as NodeJS.ErrnoException).errno ?? -EIO);
        }
      }
      gate.whenOpen().then(write).then((n) => cb(n), (err: NodeJS.ErrnoException) => cb(err.errno ?? -EIO));
    },

    truncate: (path: string, size: number, cb: Callback) => live('truncate', path, cb, async () => {
      await truncate(path, await tree.lookup(path), size);
    }, size),

    ftruncate: (path: string, fd: number, size: number, cb: Callback) => live('ftruncate', path, cb, async () => {
      const h = handles.get(fd);
      if (!h) throw new FsError(EBADF);
      await truncate(path, h.node, size);
    }, fd, size),

    // No flush: a close needs nothing more (the data is in the staging file already), and an
    // operation not given to fuse-native is answered by libfuse without a trip to this thread.

    fsync: (path: string, datasync: number, fd: number, cb: Callback) => {
      const h = handles.get(fd);
      try {
        if (h?.node.fd !== undefined) fsyncSync(h.node.fd);
        journal.sync();
        cb(0);
      } catch (err) {
        cb((err as NodeJS.ErrnoException).errno ?? -EIO);
      }
    },

    fsyncdir: (path: string, datasync: number, fd: number, cb: Callback) => {
      try {
        journal.sync();
        cb(0);
      } catch (err) {
        cb((err as NodeJS.ErrnoException).errno ?? -EIO);
      }
    },

    release: (path: string, fd: number, cb: Callback) => {
      if (inSnapshots(path)) return catalogOps.release(underSnapshots(path), fd, cb);
      const h = handles.get(fd);
      if (h) {
        handles.delete(fd);
        const { node } = h;
        if (--node.open === 0 && node.links > 0) background.closed(node, held.isHeld(node) ? held.content(node) : undefined);
        if (node.open === 0 && node.fd !== undefined) {
          closeSync(node.fd);
          node.fd = undefined;
          releaseStaging(node);
        }
        if (node.open === 0 && held.isHeld(node)) {
          held.closed(node);
          releaseStaging(node);
        }
      }
      cb(0);
    },

    mkdir: (path: string, mode: number, cb: Callback) => live('mkdir', path, cb, () => change({ op: 'mkdir', path, mode, ...ownerOf(), t: Date.now() }), mode),
    mknod: (path: string, mode: number, rdev: number, cb: Callback) => live('mknod', path, cb, () => change({ op: 'mknod', path, mode, rdev, ...ownerOf(), t: Date.now() }), mode, rdev),
    symlink: (target: string, path: string, cb: Callback) => {
      if (inSnapshots(path)) return cb(-EROFS);
      answer(cb, () => `cannot make symlink ${path}`, () => gate.change(async () => {
        await change({ op: 'symlink', path, target, ...ownerOf(), t: Date.now() });
      }));
    },
    unlink: (path: string, cb: Callback) => live('unlink', path, cb, () => change({ op: 'unlink', path, t: Date.now() })),
    rmdir: (path: string, cb: Callback) => live('rmdir', path, cb, () => change({ op: 'rmdir', path, t: Date.now() })),
    rename: (from: string, to: string, cb: Callback) => twoPaths('rename', from, to, cb),
    link: (from: string, to: string, cb: Callback) => twoPaths('link', from, to, cb),
    chmod: (path: string, mode: number, cb: Callback) => live('chmod', path, cb, () => change({ op: 'chmod', path, mode, t: Date.now() }), mode),
    chown: (path: string, uid: number, gid: number, cb: Callback) => live('chown', path, cb, () => change({ op: 'chown', path, uid, gid, t: Date.now() }), uid, gid),
    utimens: (path: string, atime: number, mtime: number, cb: Callback) => live('utimens', path, cb, async () => {
      await change({ op: 'utimens', path, atime, mtime, t: Date.now() });
      // A staged file's times are also its staging file's: a replay takes them from there.
      const node = await tree.lookup(path);
      if (node.staging !== undefined && !held.isHeld(node)) {
        const fd = node.fd ?? openSync(stagingFile(area, node.staging), 'r');
        try {
          futimesSync(fd, atime / 1000, mtime / 1000);
        } finally {
          if (fd !== node.fd) closeSync(fd);
        }
      }
    }, atime, mtime),

    // Extended attributes live in the node's entry, as ingest stores them; /.snapshots has none to show.
    // A POSIX ACL is kept as far as a mode can say it (posixAcl.ts), and never stored as an xattr.
    setxattr: (path: string, name: string, value: Buffer, position: number, flags: number, cb: Callback) => {
      if (name.startsWith(POSIX_ACL) && !inSnapshots(path)) {
        const perms = name === `${POSIX_ACL}access` ? aclMode(value) : undefined;
        if (perms === undefined) return cb(-EOPNOTSUPP);
        return live('chmod', path, cb, async () => {
          await change({ op: 'chmod', path, mode: ((await tree.lookup(path)).entry.mode & 0o7000) | perms, t: Date.now() });
        });
      }
      const copy = Buffer.from(value).toString('base64'); // value is lent by the C side until answered
      live('setxattr', path, cb, () => change({ op: 'setxattr', path, name, value: copy, flags, t: Date.now() }), name, value, position, flags);
    },
    removexattr: (path: string, name: string, cb: Callback) => name.startsWith(POSIX_ACL) && !inSnapshots(path) ? cb(-ENODATA) : live('removexattr', path, cb, () => change({ op: 'removexattr', path, name, t: Date.now() }), name),
    getxattr: (path: string, name: string, position: number, cb: Callback) => {
      if (inSnapshots(path)) return cb(-ENODATA);
      // Asked (security.capability) before every write to a file: answered at once when it can be.
      atNode(path, cb, () => `cannot read the attributes of ${path}`, (node) => {
        const found = node.entry.xattrs?.find(([n]) => n === name);
        return found ? [0, found[1]] : [-ENODATA];
      });
    },
    listxattr: (path: string, cb: Callback) => {
      if (inSnapshots(path)) return cb(0, []);
      atNode(path, cb, () => `cannot list the attributes of ${path}`, (node) => [0, (node.entry.xattrs ?? []).map(([n]) => n)]);
    },

    statfs: (path: string, cb: Callback) => answer(cb, () => 'cannot statfs', async () => {
      const s = await statfs(area.dir);
      return [0, { bsize: s.bsize, frsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree, favail: s.ffree, fsid: 0, flag: 0, namemax: 255 }];
    }),
  };
  return ops;
}
