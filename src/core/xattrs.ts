// Extended attributes, through @napi-rs/xattr. That library takes string paths only, so a file
// is always named as /proc/self/fd/N of a descriptor we hold: any name (non-UTF-8 included) works
// and a symlink is never followed. Symlinks themselves carry no user xattrs on Linux.
import { listAttributes, getAttribute, setAttribute } from '@napi-rs/xattr';

function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
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

export async function writeXattrs(fd: number, xattrs: Array<[string, Buffer]>): Promise<void> {
  for (const [name, value] of xattrs) await setAttribute(fdPath(fd), name, value);
}
