// `dedupfs umount`: unmounts a dedupfs mount from another shell with fusermount (run as an
// async child process). The mount's own process notices within a second and exits. Only
// dedupfs mounts are touched, stale ones included (their process is gone, the kernel entry is not).
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { DedupfsError } from '../core/errors.js';
import { MOUNT_TYPE, findMount } from './procMounts.js';

export interface UnmountOptions {
  /** detach now even if programs still use the mount (fusermount -z) */
  lazy?: boolean;
}

/** Unmounts the dedupfs mount at `mountpoint`; returns its absolute path. */
export async function unmountMountPoint(mountpoint: string, opts: UnmountOptions = {}): Promise<string> {
  const path = resolve(mountpoint);
  const entry = await findMount(path);
  if (!entry) throw new DedupfsError('MOUNT', `nothing is mounted at ${path}`, { data: { path } });
  if (entry.type !== MOUNT_TYPE) {
    throw new DedupfsError('MOUNT', `${path} is not a dedupfs mount (it is ${entry.type})`, { hint: 'unmount other file systems with umount', data: { path } });
  }
  try {
    await promisify(execFile)('fusermount', [opts.lazy ? '-uz' : '-u', '--', path]);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new DedupfsError('MOUNT', 'cannot unmount: fusermount is not installed', { hint: 'install it: apt-get install fuse', cause: err });
    if (/busy/i.test(e.stderr ?? '')) {
      throw new DedupfsError('MOUNT', `cannot unmount ${path}: it is busy (a program has a file or folder open in it)`,
        { hint: `close those programs (fuser -vm ${path} lists them), or detach it now with 'dedupfs umount --lazy ${path}'`, cause: err, data: { path } });
    }
    throw new DedupfsError('MOUNT', `cannot unmount ${path}: ${(e.stderr ?? e.message).trim()}`, { cause: err, data: { path } });
  }
  return path;
}
