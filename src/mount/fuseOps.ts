// The FUSE operations, in fuse-native's callback shape: cb(0, value) for success, cb(-errno)
// for failure (read answers cb(bytes)). They run on the JavaScript thread, so every one of them
// only awaits: nothing here may block, because a blocked thread can never answer the kernel.
//
// Read-only: every operation that would change something answers EROFS (the mount is also made
// with the `ro` option, so the kernel usually refuses first). A block that cannot be read (a
// damaged chunk, a damaged tree) fails that one operation with EIO and writes one line naming
// the file to the log; the mount stays up.
import { constants as fsConstants } from 'node:fs';
import { constants } from 'node:os';
import { DedupfsError } from '../core/errors.js';
import { loadChunkTable } from '../tree/chunkList.js';
import type { BlockCache } from './blockCache.js';
import { FileReader } from './fileReader.js';
import { FsError, lookupPath } from './lookupPath.js';
import type { DirNode, FileNode, MountNode, NodeStat } from './mountNode.js';

export interface FuseOpsOptions {
  root: DirNode;
  cache: BlockCache;
  /** how far sequential reads fetch ahead, bytes */
  maxReadAhead: number;
  /** one line for the log: a damaged block met while answering, or an internal error */
  onError: (line: string) => void;
}

type Callback = (code: number, ...values: unknown[]) => void;
// fuse-native calls each operation with its own arguments followed by the callback.
type Operation = (...args: any[]) => void;

const { EIO, EROFS, EISDIR, EINVAL } = constants.errno;
const O_ACCMODE = 3;
const WRITE_FLAGS = fsConstants.O_TRUNC | fsConstants.O_CREAT | fsConstants.O_APPEND;
const ST_RDONLY = 1;

const MUTATING = ['truncate', 'ftruncate', 'utimens', 'chown', 'chmod', 'mknod', 'setxattr', 'removexattr',
  'write', 'create', 'unlink', 'rename', 'link', 'symlink', 'mkdir', 'rmdir'];

export function fuseOps(opts: FuseOpsOptions): Record<string, Operation> {
  const { root, cache } = opts;
  const open = new Map<number, { node: FileNode; reader: FileReader }>();
  let lastFd = 0;
  const reported = new Set<string>();

  const report = (line: string) => {
    if (reported.has(line)) return;
    if (reported.size > 10_000) reported.clear();
    reported.add(line);
    opts.onError(line);
  };

  /** Runs `work` and answers cb with what it returns, or with the errno its failure means. */
  const answer = (cb: Callback, what: () => string, work: () => Promise<[number, ...unknown[]]>) => {
    work().then((values) => cb(...values), (err: unknown) => {
      if (err instanceof FsError) return cb(-err.errno);
      if (err instanceof DedupfsError) report(`${what()}: ${err.message}`);
      else report(`internal error while answering ${what()}: ${(err as Error)?.stack ?? String(err)}`);
      cb(-EIO);
    });
  };

  const stat = async (node: MountNode): Promise<NodeStat> => {
    if (node.kind !== 'dir' || !node.countsLinks) return node.stat;
    let subdirs = 0;
    for (const child of (await node.children()).values()) if (child.kind === 'dir') subdirs++;
    return { ...node.stat, nlink: 2 + subdirs };
  };

  const ops: Record<string, Operation> = {
    getattr: (path: string, cb: Callback) =>
      answer(cb, () => `cannot stat ${path}`, async () => [0, await stat(await lookupPath(root, path))]),

    readdir: (path: string, cb: Callback) => answer(cb, () => `cannot list ${path}`, async () => {
      const node = await lookupPath(root, path);
      if (node.kind !== 'dir') throw new FsError(constants.errno.ENOTDIR);
      return [0, ['.', '..', ...(await node.children({ refresh: true })).keys()]];
    }),

    readlink: (path: string, cb: Callback) => answer(cb, () => `cannot read link ${path}`, async () => {
      const node = await lookupPath(root, path);
      if (node.kind !== 'symlink') throw new FsError(EINVAL);
      return [0, node.target];
    }),

    open: (path: string, flags: number, cb: Callback) => answer(cb, () => `cannot open ${path}`, async () => {
      if ((flags & O_ACCMODE) !== fsConstants.O_RDONLY || (flags & WRITE_FLAGS)) throw new FsError(EROFS);
      const node = await lookupPath(root, path);
      if (node.kind === 'dir') throw new FsError(EISDIR);
      if (node.kind !== 'file') throw new FsError(EINVAL);
      const table = await loadChunkTable(cache, node.content);
      do lastFd = lastFd >= 0x7fffffff ? 1 : lastFd + 1; while (open.has(lastFd));
      const reader = new FileReader(table, cache, opts.maxReadAhead);
      reader.prefetchStart(); // overlaps the first read's fetch with the answer to open
      open.set(lastFd, { node, reader });
      return [0, lastFd];
    }),

    read: (path: string, fd: number, buf: Buffer, length: number, pos: number, cb: Callback) => {
      const file = open.get(fd);
      if (!file) return cb(-constants.errno.EBADF);
      let now: number | null = null;
      try {
        now = file.reader.readCached(buf, length, pos);
      } catch {
        // answered below, where the error is reported
      }
      if (now !== null) return cb(now);
      answer(cb, () => `cannot read ${file.node.folder}/${file.node.name}`, async () => [await file.reader.read(buf, length, pos)]);
    },

    release: (path: string, fd: number, cb: Callback) => {
      open.delete(fd);
      cb(0);
    },

    statfs: (path: string, cb: Callback) => cb(0, {
      bsize: 4096, frsize: 4096, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0, favail: 0, fsid: 0, flag: ST_RDONLY, namemax: 255,
    }),
  };
  for (const name of MUTATING) ops[name] = (...args: unknown[]) => (args[args.length - 1] as Callback)(-EROFS);
  return ops;
}
