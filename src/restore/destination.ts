// Creating things under the restore target without ever following a symlink. Every creation
// is exclusive (O_CREAT|O_EXCL|O_NOFOLLOW, mkdir, symlink, link: none replaces or follows what
// is already there); on EEXIST the existing entry is looked at with lstat. A folder is only ever
// descended into once lstat says it is a real folder, so a symlink restored a moment ago (or
// planted in the target beforehand) can never redirect later writes outside the target.
// --overwrite replaces an existing non-folder (unlink, which removes a symlink itself, then
// create again); an existing folder is never replaced by anything but a folder.
import { lstat, mkdir, unlink } from 'node:fs/promises';

/** Why an entry was not created: the destination exists and may not be replaced. */
export interface Conflict { conflict: string }

export function isConflict(x: unknown): x is Conflict {
  return typeof x === 'object' && x !== null && 'conflict' in x;
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code;
}

async function existing(path: Buffer): Promise<{ isDir: boolean; isSymlink: boolean } | null> {
  try {
    const st = await lstat(path);
    return { isDir: st.isDirectory(), isSymlink: st.isSymbolicLink() };
  } catch (err) {
    if (errno(err) === 'ENOENT') return null;
    throw err;
  }
}

/** What to do about `st`, in the way of a new entry of `kind`: keep it, replace it, or give up. */
function decide(st: { isDir: boolean; isSymlink: boolean }, kind: 'dir' | 'other', overwrite: boolean): 'existing' | 'replace' | Conflict {
  if (kind === 'dir' && st.isDir) return 'existing';
  if (st.isDir) return { conflict: 'exists and is a folder; skipped' };
  if (overwrite) return 'replace';
  const what = kind === 'dir' ? ` and is ${st.isSymlink ? 'a symlink' : 'not a folder'}` : '';
  return { conflict: `exists${what}; skipped (use --overwrite to replace it)` };
}

/** Runs `create`, which must fail with EEXIST if anything is at `path`; handles that case. */
export async function createExclusive<T>(path: Buffer, overwrite: boolean, create: () => Promise<T>): Promise<T | Conflict> {
  try {
    return await create();
  } catch (err) {
    if (errno(err) !== 'EEXIST') throw err;
  }
  const st = await existing(path);
  if (st) {
    const action = decide(st, 'other', overwrite);
    if (action !== 'replace') return action as Conflict;
    await unlink(path);
  }
  return create();
}

/** Creates the folder `path` (mode 0700 until its own mode is applied), or accepts a real folder there. */
export async function makeDir(path: Buffer, overwrite: boolean): Promise<'created' | 'existing' | Conflict> {
  const create = async () => {
    await mkdir(path, { mode: 0o700 });
    return 'created' as const;
  };
  try {
    return await create();
  } catch (err) {
    if (errno(err) !== 'EEXIST') throw err;
  }
  const st = await existing(path);
  const action = st ? decide(st, 'dir', overwrite) : 'replace';
  if (action !== 'replace') return action;
  if (st) await unlink(path);
  return create();
}

/** For --dry-run: what makeDir or createExclusive would do at `path`, touching nothing. */
export async function probe(path: Buffer, kind: 'dir' | 'other', overwrite: boolean): Promise<'created' | 'existing' | Conflict> {
  const st = await existing(path).catch(() => null);
  if (!st) return 'created';
  const action = decide(st, kind, overwrite);
  return action === 'replace' ? 'created' : action;
}
