// Creating things under the restore target without ever following a symlink. Every creation
// is exclusive (O_CREAT|O_EXCL|O_NOFOLLOW, mkdir, symlink, link: none replaces or follows what
// is already there); on EEXIST the existing entry is looked at with lstat. A folder is only ever
// descended into once lstat says it is a real folder, so a symlink restored a moment ago (or
// planted in the target beforehand) can never redirect later writes outside the target.
//
// What is already there decides what happens (--overwrite POLICY):
//   identical to the snapshot's entry (sameAsEntry.ts)  -> left alone, 'unchanged', whatever the policy
//   different, policy never (the default)               -> left alone, 'kept' (counted, one warning)
//   different, policy if-changed; or policy always      -> replaced (unlink, which removes a symlink
//                                                          itself, then create again)
// An existing folder is never replaced by anything but a folder; a non-folder where the snapshot
// has a folder is a conflict (a warning naming it) under `never`, and replaced otherwise.
import { lstat, unlink } from 'node:fs/promises';
import { mkdirSync, type BigIntStats } from 'node:fs';

export type OverwritePolicy = 'never' | 'if-changed' | 'always';
export const OVERWRITE_POLICIES: readonly OverwritePolicy[] = ['never', 'if-changed', 'always'];

/** Why an entry was not created: the destination exists and may not be replaced. */
export interface Conflict { conflict: string }

/** Nothing written: the destination is identical ('unchanged'), or differs and the policy keeps it ('kept'). */
export type LeftAlone = 'unchanged' | 'kept';

/** Whether the existing entry (its lstat given) is identical to the one being restored. */
export type SameCheck = (st: BigIntStats) => Promise<boolean>;

export function isConflict(x: unknown): x is Conflict {
  return typeof x === 'object' && x !== null && 'conflict' in x;
}

export function isLeftAlone(x: unknown): x is LeftAlone {
  return x === 'unchanged' || x === 'kept';
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code;
}

async function existing(path: Buffer): Promise<BigIntStats | null> {
  try {
    return await lstat(path, { bigint: true });
  } catch (err) {
    if (errno(err) === 'ENOENT') return null;
    throw err;
  }
}

/** What to do about `st`, in the way of a new entry of `kind`. */
async function decide(st: BigIntStats, kind: 'dir' | 'other', policy: OverwritePolicy, same?: SameCheck): Promise<'existing' | 'replace' | LeftAlone | Conflict> {
  if (kind === 'dir' && st.isDirectory()) return 'existing';
  if (st.isDirectory()) return { conflict: 'exists and is a folder; skipped' };
  if (kind === 'dir') {
    if (policy !== 'never') return 'replace';
    return { conflict: `exists and is ${st.isSymbolicLink() ? 'a symlink' : 'not a folder'}; skipped (use --overwrite if-changed to replace it)` };
  }
  if (policy === 'always') return 'replace';
  if (same && await same(st)) return 'unchanged';
  return policy === 'if-changed' ? 'replace' : 'kept';
}

/** Runs `create`, which must fail with EEXIST if anything is at `path`; handles that case. */
export async function createExclusive<T>(path: Buffer, policy: OverwritePolicy, create: () => Promise<T>, same?: SameCheck): Promise<T | Conflict | LeftAlone> {
  try {
    return await create();
  } catch (err) {
    if (errno(err) !== 'EEXIST') throw err;
  }
  const st = await existing(path);
  if (st) {
    const action = await decide(st, 'other', policy, same);
    if (action !== 'replace') return action as Conflict | LeftAlone;
    await unlink(path);
  }
  return create();
}

/** Creates the folder `path` (mode 0700 until its own mode is applied), or accepts a real folder there. */
export async function makeDir(path: Buffer, policy: OverwritePolicy): Promise<'created' | 'existing' | Conflict> {
  const create = () => {
    mkdirSync(path, { mode: 0o700 });
    return 'created' as const;
  };
  try {
    return create();
  } catch (err) {
    if (errno(err) !== 'EEXIST') throw err;
  }
  const st = await existing(path);
  const action = st ? await decide(st, 'dir', policy) : 'replace';
  if (action !== 'replace') return action as 'existing' | Conflict;
  if (st) await unlink(path);
  return create();
}

/** For --dry-run: what makeDir or createExclusive would do at `path`, touching nothing. */
export async function probe(path: Buffer, kind: 'dir' | 'other', policy: OverwritePolicy, same?: SameCheck): Promise<'created' | 'existing' | Conflict | LeftAlone> {
  const st = await existing(path).catch(() => null);
  if (!st) return 'created';
  const action = await decide(st, kind, policy, same);
  return action === 'replace' ? 'created' : action;
}
