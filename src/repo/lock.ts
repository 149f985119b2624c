// Repository locks: who may work on a repository at the same time. Shared locks (ingest,
// restore, mount, check) coexist with each other and with a records lock (tag, forget: they
// rewrite or remove snapshot records), of which only one is held at a time; an exclusive lock
// (gc, repair) excludes every other lock (the rule: locksConflict in src/backend/backendLock.ts).
//
// Protocol, safe without any atomic test-and-set: a process first writes its own lock file
// (lockFile.ts: random name, temp + fsync + rename), then reads the folder. If it sees a lock it
// conflicts with, it deletes its own file and tries again later. Of two conflicting processes,
// the one that writes second is sure to see the first, so they never both go ahead. Retries wait
// a randomized, growing backoff, so two exclusive requesters that keep seeing each other
// drift apart instead of colliding forever.
//
// Stale locks found on the way (their process is gone, or they were not refreshed for staleMs)
// are deleted with a warning. A held lock rewrites its `refreshed` time every refreshMs from an
// unref'd timer, and is deleted by release() or, failing that, synchronously on process exit;
// only a killed process leaves its lock behind, for the staleness rules or `dedupfs unlock`.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DedupfsError, ioError } from '../core/errors.js';
import { DIR_MODE, repoLayout } from '../core/layout.js';
import {
  LOCK_SUFFIX, deleteLockFile, describeLock, readLockFiles, writeLockFile,
  type LockInfo, type LockRecord,
} from './lockFile.js';
import { locksConflict, type LockKind } from '../backend/backendLock.js';

export type { LockInfo, LockRecord } from './lockFile.js';
export type { LockKind } from '../backend/backendLock.js';

export interface LockOptions {
  kind: LockKind;
  command: string;                       // recorded in the lock, shown to whoever is blocked by it
  waitMs?: number;                       // how long to keep retrying a conflict; default 0
  staleMs?: number;                      // a lock not refreshed for this long is stale; default 30 min
  refreshMs?: number;                    // how often a held lock is refreshed; default 5 min
  onWarning?: (msg: string) => void;     // stale locks removed, refresh failures
}

export interface RepoLock {
  /** Stops refreshing and deletes the lock file. Calling it again does nothing. */
  release(): Promise<void>;
  readonly kind: LockKind;
  /** the lock file's name without its suffix; files this process leaves in packs/tmp carry it */
  readonly id: string;
}

const DEFAULT_STALE_MS = 30 * 60_000;
const DEFAULT_REFRESH_MS = 5 * 60_000;
const BACKOFF_FIRST_MS = 20;
const BACKOFF_MAX_MS = 1_000;

/**
 * Takes a shared, records or exclusive lock on the repository in `repoDir`, creating <repo>/locks if
 * needed.
 * @throws DedupfsError LOCKED when a conflicting lock is still there after waitMs,
 *   NO_REPOSITORY when `repoDir` does not exist, IO when the lock folder cannot be written.
 * @example const lock = await acquireLock(repo, { kind: 'exclusive', command: 'gc' });
 *   try { ... } finally { await lock.release(); }
 */
export async function acquireLock(repoDir: string, opts: LockOptions): Promise<RepoLock> {
  const locksDir = repoLayout(repoDir).locks;
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  const deadline = Date.now() + (opts.waitMs ?? 0);
  await ensureLocksDir(repoDir, locksDir);
  for (let attempt = 0; ; attempt++) {
    const path = join(locksDir, randomBytes(16).toString('hex') + LOCK_SUFFIX);
    const now = new Date().toISOString();
    const record: LockRecord = { kind: opts.kind, pid: process.pid, host: hostname(), command: opts.command, created: now, refreshed: now };
    heldLocks.add(path);
    let conflict: LockInfo | undefined;
    try {
      await writeLockFile(path, record).catch((err) => { throw ioError(err, 'cannot write lock file', path); });
      conflict = await findConflict(locksDir, path, opts.kind, staleMs, opts.onWarning);
    } catch (err) {
      await removeOwnLock(path).catch(() => undefined);
      throw err;
    }
    if (!conflict) return holdLock(path, record, opts);
    await removeOwnLock(path);
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw lockedError(repoDir, conflict);
    await sleep(Math.min(remaining, backoffMs(attempt)));
  }
}

/**
 * Describes every lock in the repository; stale ones (as judged with staleMs, default 30 min)
 * are marked, not removed.
 */
export async function listLocks(repoDir: string, opts: { staleMs?: number } = {}): Promise<LockInfo[]> {
  const locksDir = repoLayout(repoDir).locks;
  return readLockFiles(locksDir, opts.staleMs ?? DEFAULT_STALE_MS)
    .catch((err) => { throw ioError(err, 'cannot read lock folder', locksDir); });
}

/**
 * For `dedupfs unlock`: deletes the stale locks, or every lock with `all`. Only safe with `all`
 * when no dedupfs process is using the repository.
 * @returns a description of each lock deleted.
 */
export async function removeLocks(repoDir: string, opts: { all: boolean; staleMs?: number }): Promise<string[]> {
  const removed: string[] = [];
  for (const lock of await listLocks(repoDir, opts)) {
    if ((opts.all || lock.stale) && await removeLockFile(lock.path)) removed.push(describeLock(lock));
  }
  return removed;
}

// Lock files this process holds (or is about to write). Deleted synchronously if the process
// exits without releasing them; one 'exit' listener serves them all.
const heldLocks = new Set<string>();
process.on('exit', () => {
  for (const path of heldLocks) rmSync(path, { force: true });
});

async function ensureLocksDir(repoDir: string, locksDir: string): Promise<void> {
  try {
    await mkdir(locksDir, { mode: DIR_MODE });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code === 'ENOENT') throw new DedupfsError('NO_REPOSITORY', `repository ${repoDir} does not exist`, { cause: err });
    throw ioError(err, 'cannot create lock folder', locksDir);
  }
}

// Reads the other locks, deletes the stale ones, and returns one that `kind` conflicts with.
async function findConflict(locksDir: string, own: string, kind: LockKind, staleMs: number, onWarning?: (msg: string) => void): Promise<LockInfo | undefined> {
  const others = (await readLockFiles(locksDir, staleMs).catch((err) => { throw ioError(err, 'cannot read lock folder', locksDir); }))
    .filter((lock) => lock.path !== own);
  let conflict: LockInfo | undefined;
  for (const lock of others) {
    if (lock.stale) {
      if (await removeLockFile(lock.path)) onWarning?.(`removed stale ${describeLock(lock)}`);
    } else if (!lock.record || locksConflict(kind, lock.record.kind)) {
      // An unreadable lock conflicts with every kind. That is the safe side, and what versions
      // before the records kind do with one: they cannot parse it, so no ingest of theirs runs
      // beside a tag or forget, and their own tag and forget still wait for it.
      conflict ??= lock;
    }
  }
  return conflict;
}

function holdLock(path: string, record: LockRecord, opts: LockOptions): RepoLock {
  let released = false;
  let refreshing = Promise.resolve();
  const refresh = async (): Promise<void> => {
    if (released) return;
    try {
      await stat(path);
    } catch {
      clearInterval(timer);
      opts.onWarning?.(`lock ${path} was removed by someone else; ${record.command} goes on without it`);
      return;
    }
    await writeLockFile(path, { ...record, refreshed: new Date().toISOString() })
      .catch((err) => opts.onWarning?.(`cannot refresh lock ${path}: ${(err as Error).message}`));
  };
  // Refreshes run one after another, and release() waits for the last, so a refresh can never
  // rename a lock file back into place after release deleted it.
  const timer = setInterval(() => { refreshing = refreshing.then(refresh); }, opts.refreshMs ?? DEFAULT_REFRESH_MS);
  timer.unref();
  return {
    kind: record.kind,
    id: basename(path, LOCK_SUFFIX),
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await refreshing;
      await removeOwnLock(path);
    },
  };
}

async function removeOwnLock(path: string): Promise<void> {
  await removeLockFile(path);
  heldLocks.delete(path);
}

async function removeLockFile(path: string): Promise<boolean> {
  return deleteLockFile(path).catch((err) => { throw ioError(err, 'cannot remove lock file', path); });
}

// Randomized exponential backoff: 20 ms doubling up to 1 s, each wait between half and 1.5x.
function backoffMs(attempt: number): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
  return base / 2 + Math.random() * base;
}

function lockedError(repoDir: string, conflict: LockInfo): DedupfsError {
  return new DedupfsError('LOCKED', `repository ${repoDir} is locked by ${conflict.holder}`, {
    hint: 'wait for it to finish, use --lock-wait DURATION, or run "dedupfs unlock" if that process is gone',
    data: { lock: conflict.path, ...conflict.record },
  });
}
