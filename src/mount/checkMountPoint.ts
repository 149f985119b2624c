// Checks a mount point before mounting, so that each common mistake gets a message that says
// what to do: a missing folder, a file, a folder that is not empty, a folder something is
// already mounted on, and the remains of a mount whose process died ("transport endpoint is not
// connected": the kernel still holds the mount but nothing answers it).
import { readdir, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DedupfsError, ioError } from '../core/errors.js';

/** Returns the absolute path of `mountpoint` when a mount can be made there. */
export async function checkMountPoint(mountpoint: string): Promise<string> {
  const path = resolve(mountpoint);
  const unmountHint = `unmount it with 'dedupfs umount ${path}' (or 'fusermount -u ${path}'), then mount again`;
  let st: Stats;
  try {
    st = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DedupfsError('MOUNT', `mount point ${path} does not exist`, { hint: `create it first: mkdir -p ${path}`, data: { path } });
    if (code === 'ENOTCONN') {
      throw new DedupfsError('MOUNT', `mount point ${path} is left over from a mount that did not end cleanly (transport endpoint is not connected)`,
        { hint: unmountHint, data: { path } });
    }
    throw ioError(err, 'cannot use mount point', path);
  }
  if (!st.isDirectory()) throw new DedupfsError('MOUNT', `mount point ${path} is not a folder`, { hint: 'mount on an empty folder', data: { path } });
  const parent = await stat(dirname(path)).catch((err) => { throw ioError(err, 'cannot use mount point', path); });
  if (path !== '/' && parent.dev !== st.dev) {
    throw new DedupfsError('MOUNT', `${path} is already a mount point`, { hint: `mount on an empty folder; if a dedupfs mount is there, ${unmountHint}`, data: { path } });
  }
  const names = await readdir(path).catch((err) => { throw ioError(err, 'cannot use mount point', path); });
  if (names.length) throw new DedupfsError('MOUNT', `mount point ${path} is not empty`, { hint: 'mount on an empty folder', data: { path } });
  return path;
}
