// Extended attributes, through @napi-rs/xattr. That library takes string paths only and uses
// the l* calls (it never follows a symlink), so /proc/self/fd/N itself would name the magic
// link, not the file. A descriptor we hold is therefore named by the path the kernel gives for
// it (readlink of /proc/self/fd/N): the very file we opened, and never a symlink to follow.
// A path that is not valid UTF-8 cannot be handed to the library: such files read as having no
// xattrs, and writing to one throws. Symlinks themselves carry no user xattrs on Linux.
import { readlinkSync } from 'node:fs';
import { listAttributes, listAttributesSync, getAttribute, getAttributeSync, setAttribute } from '@napi-rs/xattr';

function fdPath(fd: number): string {
  const target = readlinkSync(`/proc/self/fd/${fd}`, { encoding: 'buffer' });
  const text = target.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(target)) throw new Error('extended attributes are not supported on a path that is not UTF-8');
  return text;
}

/** All extended attributes of the open file `fd`, sorted by name; [] where unsupported. */
export async function readXattrs(fd: number): Promise<Array<[string, Buffer]>> {
  let names: string[];
  try {
    names = await listAttributes(fdPath(fd));
  } catch {
    return [];
  }
  const out: Array<[string, Buffer]> = [];
  for (const name of names.sort()) {
    const value = await getAttribute(fdPath(fd), name).catch(() => null);
    if (value) out.push([name, value]);
  }
  return out;
}

/** readXattrs without the thread-pool round trips, for small files read synchronously. */
export function readXattrsSync(fd: number): Array<[string, Buffer]> {
  let names: string[];
  try {
    names = listAttributesSync(fdPath(fd));
  } catch {
    return [];
  }
  const out: Array<[string, Buffer]> = [];
  for (const name of names.sort()) {
    try {
      const value = getAttributeSync(fdPath(fd), name);
      if (value) out.push([name, value]);
    } catch {
      // vanished between list and get
    }
  }
  return out;
}

export async function writeXattrs(fd: number, xattrs: Array<[string, Buffer]>): Promise<void> {
  if (!xattrs.length) return;
  const path = fdPath(fd);
  for (const [name, value] of xattrs) await setAttribute(path, name, value);
}
