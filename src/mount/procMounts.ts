// What is mounted where, read from /proc/self/mounts (asynchronously: it never waits on a FUSE
// mount, and a stale one is listed like any other). The mount uses it to notice that it was
// unmounted from outside; `dedupfs umount` to check that it is unmounting a dedupfs mount.
import { readFile } from 'node:fs/promises';

export interface MountEntry { source: string; mountpoint: string; type: string }

/** The file system type of dedupfs mounts, as /proc/mounts shows it ("fuse." + subtype). */
export const MOUNT_TYPE = 'fuse.dedupfs';

// Spaces, tabs, newlines and backslashes in /proc/mounts fields are written as octal escapes.
const unescapeField = (field: string) => field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));

export async function readMounts(): Promise<MountEntry[]> {
  const text = await readFile('/proc/self/mounts', 'utf8');
  return text.split('\n').filter(Boolean).map((line) => {
    const [source, mountpoint, type] = line.split(' ');
    return { source: unescapeField(source), mountpoint: unescapeField(mountpoint), type };
  });
}

/** The entry of the mount at `mountpoint` (an absolute path), the last one if several are stacked. */
export async function findMount(mountpoint: string): Promise<MountEntry | undefined> {
  return (await readMounts()).filter((m) => m.mountpoint === mountpoint).pop();
}
