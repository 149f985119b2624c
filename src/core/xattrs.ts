// Extended attributes, through @napi-rs/xattr. That library takes string paths only and uses
// the l* calls (it never follows a symlink), so /proc/self/fd/N itself would name the magic
// link, not the file. A descriptor we hold is therefore named by the path the kernel gives for
// it (readlink of /proc/self/fd/N): the very file we opened, and never a symlink to follow.
// A path that is not valid UTF-8 cannot be handed to the library: such files read as having no
// xattrs, and writing to one throws. Symlinks themselves carry no user xattrs on Linux.
import { readlinkSync } from 'node:fs';
import { lazyRequire } from './lazyRequire.js';

const xattr = lazyRequire<typeof import('@napi-rs/xattr')>('@napi-rs/xattr');

function utf8(path: Buffer): string | null {
  const text = path.toString('utf8');
  return Buffer.from(text, 'utf8').equals(path) ? text : null;
}

function fdPath(fd: number): string {
  const text = utf8(readlinkSync(`/proc/self/fd/${fd}`, { encoding: 'buffer' }));
  if (text === null) throw new Error('extended attributes are not supported on a path that is not UTF-8');
  return text;
}

/**
 * True when the file at `path` (a symlink is not followed) lists no extended attributes, as
 * most files do: one system call, where the descriptor's path costs a readlink of /proc first
 * (measured: 3-9% of an ingest of the bench corpus). Only a file replaced under its name
 * between the open and this call could answer for the opened one; any error leaves the answer
 * to the descriptor.
 */
function listsNone(path: Buffer | undefined): boolean {
  const text = path && utf8(path);
  if (!text) return false;
  try {
    return xattr().listAttributesSync(text).length === 0;
  } catch {
    return false;
  }
}

/**
 * All extended attributes of the open file `fd`, sorted by name; [] where unsupported.
 * `path`, the name it was opened by, lets a file without any be answered at once.
 */
export async function readXattrs(fd: number, path?: Buffer): Promise<Array<[string, Buffer]>> {
  if (listsNone(path)) return [];
  let names: string[];
  try {
    names = await xattr().listAttributes(fdPath(fd));
  } catch {
    return [];
  }
  const out: Array<[string, Buffer]> = [];
  for (const name of names.sort()) {
    const value = await xattr().getAttribute(fdPath(fd), name).catch(() => null);
    if (value) out.push([name, value]);
  }
  return out;
}

/** readXattrs without the thread-pool round trips, for small files read synchronously. */
export function readXattrsSync(fd: number, path?: Buffer): Array<[string, Buffer]> {
  if (listsNone(path)) return [];
  let names: string[];
  try {
    names = xattr().listAttributesSync(fdPath(fd));
  } catch {
    return [];
  }
  const out: Array<[string, Buffer]> = [];
  for (const name of names.sort()) {
    try {
      const value = xattr().getAttributeSync(fdPath(fd), name);
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
  for (const [name, value] of xattrs) await xattr().setAttribute(path, name, value);
}
