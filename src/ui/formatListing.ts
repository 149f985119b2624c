// How `ls` shows entries: a name per line, `-l` lines in the style of ls(1), and the JSON
// object of --json. Names and targets are bytes: text shows them escaped (nameEscape.ts), and
// JSON gives both the escaped text (name, path, target) and the exact bytes in base64
// (name_base64, path_base64, target_base64).
import type { TreeEntry } from '../tree/entry.js';
import { escapeName } from '../tree/nameEscape.js';
import type { TreeItem } from '../tree/walkTree.js';
import { splitDevice } from '../restore/makeSpecial.js';

const TYPE_CHARS: Record<TreeEntry['kind'], string> = { file: '-', dir: 'd', symlink: 'l', fifo: 'p', chardev: 'c', blockdev: 'b', socket: 's' };

/** "drwxr-xr-x", with s/S and t/T for the set-id and sticky bits. */
export function modeString(entry: TreeEntry): string {
  const m = entry.mode;
  const triplet = (shift: number, special: boolean, on: string) => {
    const x = (m >> shift) & 1;
    return ((m >> (shift + 2)) & 1 ? 'r' : '-') + ((m >> (shift + 1)) & 1 ? 'w' : '-') + (special ? (x ? on : on.toUpperCase()) : x ? 'x' : '-');
  };
  return TYPE_CHARS[entry.kind] + triplet(6, !!(m & 0o4000), 's') + triplet(3, !!(m & 0o2000), 's') + triplet(0, !!(m & 0o1000), 't');
}

function localTime(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** One line of `ls` output for `item`, shown as `relPath` (its path below the listed folder). */
export function formatListingLine(item: TreeItem, relPath: Buffer, long: boolean): string {
  const e = item.entry;
  const name = escapeName(relPath);
  if (!long) return `${name}\n`;
  let size = String(e.size);
  if (e.kind === 'chardev' || e.kind === 'blockdev') {
    const { major, minor } = splitDevice(e.rdev ?? 0);
    size = `${major}, ${minor}`;
  }
  const target = e.kind === 'symlink' ? ` -> ${escapeName(e.target ?? Buffer.alloc(0))}` : '';
  return `${modeString(e)} ${(e.user ?? String(e.uid)).padEnd(8)} ${(e.group ?? String(e.gid)).padEnd(8)} ${size.padStart(10)} ${localTime(e.mtimeNs)} ${name}${target}\n`;
}

/** The --json object for one entry. */
export function listingJson(item: TreeItem): Record<string, unknown> {
  const e = item.entry;
  const out: Record<string, unknown> = {
    type: 'entry',
    path: escapeName(item.path), path_base64: item.path.toString('base64'),
    name: escapeName(e.name), name_base64: e.name.toString('base64'),
    kind: e.kind, mode: e.mode, permissions: modeString(e),
    uid: e.uid, gid: e.gid, user: e.user ?? null, group: e.group ?? null, size: e.size,
    mtime: new Date(Number(e.mtimeNs / 1_000_000n)).toISOString(),
    mtime_ns: e.mtimeNs.toString(), atime_ns: e.atimeNs.toString(), ctime_ns: e.ctimeNs.toString(),
    nlink: e.nlink,
  };
  if (e.target) Object.assign(out, { target: escapeName(e.target), target_base64: e.target.toString('base64') });
  if (e.rdev !== undefined) Object.assign(out, { rdev: e.rdev, ...splitDevice(e.rdev) });
  if (e.linkId) out.link_id = e.linkId;
  if (e.xattrs?.length) out.xattrs = e.xattrs.map(([k]) => k);
  return out;
}

/** The last --json line: which snapshot and path were listed, and how many entries. */
export function listingSummaryJson(snapshot: string, path: Buffer, entries: number): Record<string, unknown> {
  return { type: 'summary', snapshot, path: escapeName(path) || '/', entries };
}
