// Mounts a repository's snapshots through FUSE and keeps them mounted until unmount() or an
// unmount from outside (`dedupfs umount`, `fusermount -u`), which it notices by watching
// /proc/self/mounts once a second.
//
// The caller holds the repository open with a shared lock for as long as the mount lives, so
// gc (which locks exclusively) waits for the mount instead of deleting packs under it.
//
// Kernel options (measured with bench/mount.ts and by hand): `ro` makes the kernel refuse
// writes itself; `use_ino` shows our inode numbers (hard links share one); attributes and names
// are cached for 5 seconds (snapshots never change; the catalog folders are re-read on every
// listing); `kernel_cache` keeps file pages across opens (a second read of a file comes from the
// page cache, several GB/s instead of ~300 MB/s), which is safe because a path always names the
// same bytes. max_read and a larger bdi read-ahead made no measurable difference: libfuse 2
// sends reads of 128 KiB at most, one at a time for a sequential reader, so what counts is how
// fast each is answered (see fileReader.ts). fuse-native has no settings for `ro` and
// `use_ino`: they ride in its fsname option, which it passes to libfuse unchanged.
import type { SnapshotFilter } from '../catalog/catalog.js';
import type { Snapshot } from '../catalog/snapshotRecord.js';
import { selectSnapshot } from '../catalog/selectSnapshot.js';
import { DedupfsError } from '../core/errors.js';
import type { Repository } from '../repo/repository.js';
import { BlockCache } from './blockCache.js';
import { CatalogView } from './catalogView.js';
import { checkMountPoint } from './checkMountPoint.js';
import { fuseOps } from './fuseOps.js';
import { InodeAllocator } from './inodes.js';
import { loadFuse, type Fuse } from './loadFuse.js';
import type { DirNode } from './mountNode.js';
import { kernelOptions, readAheadFor } from './kernelOptions.js';
import { findMount } from './procMounts.js';
import { snapshotRoot } from './snapshotTree.js';

export interface MountOptions {
  mountpoint: string;
  /** a snapshot selector: show that snapshot's tree at the root instead of the catalog */
  snapshot?: string;
  /** which snapshots are shown, and which --snapshot chooses among (--host, --path, --tag) */
  scope?: SnapshotFilter;
  /** let other users in (needs user_allow_other in /etc/fuse.conf unless root); their access is checked against the stored modes */
  allowOther?: boolean;
  /** bytes of decompressed chunks to keep */
  cacheBytes: number;
  /** one line for the log: a damaged block met while reading, a catalog that cannot be read */
  onError: (line: string) => void;
}

export interface MountedRepository {
  mountpoint: string;
  /** the snapshot at the root, with --snapshot */
  snapshot?: Snapshot;
  /** resolves once the file system is unmounted, by unmount() or from outside */
  done: Promise<void>;
  /** Unmounts (lazily: programs still inside keep what they have open) and waits until done. */
  unmount(): Promise<void>;
}

const WATCH_MS = 1000;

export async function mountRepository(repo: Repository, opts: MountOptions): Promise<MountedRepository> {
  const Fuse = await loadFuse();
  const mountpoint = await checkMountPoint(opts.mountpoint);
  // Many readers at once: a pack read must not hold up the others (packFiles.ts).
  repo.store.readAsynchronously();
  const inodes = new InodeAllocator();
  const snapshot = opts.snapshot !== undefined ? selectSnapshot(repo.catalog.list(opts.scope), opts.snapshot, opts.scope) : undefined;
  let root: DirNode;
  if (snapshot) root = snapshotRoot({ snapshot, store: repo.store, inodes, log: opts.onError });
  else {
    const view = new CatalogView({
      catalog: repo.catalog, filter: opts.scope, snapshotDir: repo.layout.snapshots, store: repo.store, inodes,
      onError: (err) => opts.onError(`cannot read the catalog: ${(err as Error).message}`),
      log: opts.onError,
    });
    await view.refresh(true);
    root = view.root;
  }
  const cache = new BlockCache(repo.store, opts.cacheBytes);
  const ops = fuseOps({ root, cache, maxReadAhead: readAheadFor(opts.cacheBytes), onError: opts.onError });
  const fuse = new Fuse(mountpoint, ops, kernelOptions({ fsname: 'dedupfs,ro,use_ino', allowOther: opts.allowOther ?? false, timeout: 60_000 }));
  await new Promise<void>((resolve, reject) => fuse.mount((err) => (err ? reject(mountError(mountpoint, err)) : resolve())));
  return { mountpoint, snapshot, ...watchMount(fuse, mountpoint) };
}

export function mountError(mountpoint: string, err: Error): DedupfsError {
  return new DedupfsError('MOUNT', `cannot mount at ${mountpoint}: ${err.message}`,
    { hint: 'check that /dev/fuse exists (modprobe fuse) and that you may mount (root, or fusermount installed setuid)', cause: err, data: { path: mountpoint } });
}

export function watchMount(fuse: Fuse, mountpoint: string): Pick<MountedRepository, 'done' | 'unmount'> {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => { finish = resolve; });
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      if (!(await findMount(mountpoint))) {
        clearInterval(timer);
        finish();
      }
    } catch {
      // /proc unreadable for a moment: look again on the next tick
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), WATCH_MS);
  const unmount = async () => {
    // fuse-native runs `fusermount -uz`; it fails only when the mount is already gone.
    await new Promise<void>((resolve) => fuse.unmount(() => resolve()));
    await check();
    await done;
  };
  return { done, unmount };
}
